// The view toolkit: htm's tagged templates over preact's `h` (no JSX compile step), and the hook
// every view loads its data with.
import { h, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import type { Api } from './api.ts';

/** Tagged-template markup: html`<div class=${c}>${text}</div>` (text is escaped, never parsed). */
export const html = htm.bind(h);

/** What a view receives for its children. */
export type Children = ComponentChildren;

/** A resource loaded on every tick: its latest data, whether the route answered 404, the last error. */
export interface Resource<T> {
  readonly data: T | undefined;
  readonly missing: boolean;
  readonly error: string | undefined;
  /** Whether any answer (data, 404 or error) came yet. */
  readonly settled: boolean;
}

/**
 * Loads `path` now and again whenever `tick` changes (undefined path: nothing). The previous data
 * stays shown while the next request is under way, so views do not flicker.
 */
export function useResource<T>(api: Api, path: string | undefined, tick: number): Resource<T> {
  const [state, setState] = useState<Resource<T>>({ data: undefined, missing: false, error: undefined, settled: false });
  const current = useRef(path);
  current.current = path;
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    api.get<T>(path).then(
      (data) => { if (live && current.current === path) setState({ data, missing: data === undefined, error: undefined, settled: true }); },
      (error: Error) => { if (live && current.current === path) setState((s) => ({ ...s, error: error.message, settled: true })); },
    );
    return () => { live = false; };
  }, [path, tick]);
  useEffect(() => { setState({ data: undefined, missing: false, error: undefined, settled: false }); }, [path]);
  return state;
}

/** The "no data" line a panel shows while its route answers 404 or has nothing yet. */
export function NoData({ what }: { what: string }) {
  return html`<p class="no-data">no data: ${what}</p>`;
}
