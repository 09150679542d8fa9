// The dashboard's frame: the header, the login form (shown whenever a request answers 401), the
// page the URL's hash names, and the tick that makes every page reload its data every two seconds.
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { html } from '../html.ts';
import { JobPage, type JobRoute } from './job.ts';
import { OverviewPage } from './overview.ts';
import { ActorsPage } from './actors.ts';

/** How often the pages reload their data. */
const REFRESH_MS = 2000;

/** The page a hash names: the overview, the actor systems, or a job (with a selected vertex and subtask). */
export function parseRoute(hash: string): { page: 'overview' } | { page: 'actors' } | { page: 'job'; job: JobRoute } {
  if (/^#\/actors\/?$/.test(hash)) return { page: 'actors' };
  const m = /^#\/jobs\/([^/]+)(?:\/vertices\/([^/]+)(?:\/subtasks\/(\d+))?)?\/?$/.exec(hash);
  if (!m) return { page: 'overview' };
  return { page: 'job', job: { jid: m[1], vertex: m[2] === undefined ? undefined : decodeURIComponent(m[2]), subtask: m[3] === undefined ? undefined : Number(m[3]) } };
}

/** The login form: the cluster secret or the REST token. */
function Login({ api, onLogin }: { api: Api; onLogin: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('secret') as HTMLInputElement;
    setError(undefined);
    try {
      if (await api.login(input.value)) { input.value = ''; onLogin(); } else setError('The JobManager accepted neither this secret nor this token.');
    } catch (e) { setError(`Could not reach the JobManager: ${(e as Error).message}`); }
  };
  return html`
    <form class="login" data-testid="login" onSubmit=${submit}>
      <h2>This JobManager needs the cluster's token</h2>
      <p>Enter the cluster secret (ACTORFLOW_CLUSTER_SECRET) or the REST token derived from it. A secret is turned
        into the token in this page and is neither sent nor kept; the token is kept in this tab's session storage
        until the tab closes or you log out.</p>
      <input type="password" name="secret" autocomplete="current-password" placeholder="secret or token" autofocus />
      <button type="submit">Log in</button>
      ${error ? html`<p class="error" data-testid="login-error">${error}</p>` : null}
    </form>`;
}

/** The whole dashboard. */
export function App({ api }: { api: Api }) {
  const [hash, setHash] = useState(location.hash);
  const [tick, setTick] = useState(1);
  const [needLogin, setNeedLogin] = useState(false);
  useEffect(() => {
    api.onUnauthorized = () => setNeedLogin(true);
    const onHash = (): void => setHash(location.hash);
    addEventListener('hashchange', onHash);
    const timer = setInterval(() => { if (document.visibilityState !== 'hidden') setTick((t) => t + 1); }, REFRESH_MS);
    return () => { removeEventListener('hashchange', onHash); clearInterval(timer); };
  }, []);
  const route = parseRoute(hash);
  return html`
    <header class="top">
      <a class="brand" href="#/">actorflow</a>
      <nav><a href="#/">Overview</a> <a href="#/actors" data-testid="nav-actors">Actors</a></nav>
      ${api.hasToken ? html`<button class="link" onClick=${() => { api.logout(); setNeedLogin(true); }}>Log out</button>` : null}
    </header>
    <main>
      ${needLogin ? html`<${Login} api=${api} onLogin=${() => { setNeedLogin(false); setTick((t) => t + 1); }} />`
        : route.page === 'job' ? html`<${JobPage} key=${route.job.jid} api=${api} tick=${tick} route=${route.job} />`
        : route.page === 'actors' ? html`<${ActorsPage} api=${api} tick=${tick} />`
        : html`<${OverviewPage} api=${api} tick=${tick} />`}
    </main>`;
}
