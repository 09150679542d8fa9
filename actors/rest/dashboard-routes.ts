// The web dashboard's routes on the REST server. The page (`/`, `/index.html`) and its one script
// and one stylesheet are served to anyone who reaches the port, token or not: they are the same
// bytes for every cluster and carry no cluster data; the page then asks the user for the cluster
// secret or token (when a request answers 401) and sends the token as the bearer header on every
// request for data. `/dashboard/lifecycles` (the lifecycle machines as graphs) is mounted behind the
// token like every other route. The assets are the prebuilt bundle in dashboard-assets.ts
// (generated from dashboard/ by `npm run build:dashboard`), so a JobManager serves them without
// bundling anything at run time. Imports hono, dashboard-assets.ts and dashboard-lifecycles.ts.
import type { Context, Hono } from 'hono';
import { DASHBOARD_ASSETS } from './dashboard-assets.ts';
import { dashboardLifecycles } from './dashboard-lifecycles.ts';

/**
 * The page may load only its own script and stylesheet and talk only to its own origin: even if
 * some cluster data (a job name, an exception message) were rendered as markup by mistake, no
 * script from elsewhere could run and nothing could be sent elsewhere. Styles allow inline style
 * attributes, which the chart library sets on its elements.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** Headers of every dashboard asset. */
function commonHeaders(c: Context, contentType: string): void {
  c.header('content-type', contentType);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'no-referrer');
  // Revalidated on every load (cheap: 304 by ETag), so a JobManager upgrade is never half-seen.
  c.header('cache-control', 'no-cache');
  c.header('etag', `"${DASHBOARD_ASSETS.hash}"`);
}

/** Answers 304 when the browser already holds this bundle's version of the asset. */
function notModified(c: Context): Response | undefined {
  const tags = c.req.header('if-none-match');
  if (tags === undefined || !tags.split(',').some((t) => t.trim().replace(/^W\//, '') === `"${DASHBOARD_ASSETS.hash}"`)) return undefined;
  return c.body(null, 304);
}

/**
 * Mounts the page and its script and stylesheet. Must be called before the REST server installs
 * its token check: Hono runs handlers and middleware in the order they were registered, so these
 * answer before the check is reached, and only these do.
 */
export function mountDashboardAssets(app: Hono): void {
  const page = (c: Context): Response => {
    commonHeaders(c, 'text/html; charset=utf-8');
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    return notModified(c) ?? c.body(DASHBOARD_ASSETS.html);
  };
  app.get('/', page);
  app.get('/index.html', page);
  app.get('/dashboard/app.js', (c) => {
    commonHeaders(c, 'text/javascript; charset=utf-8');
    return notModified(c) ?? c.body(DASHBOARD_ASSETS.js);
  });
  app.get('/dashboard/app.css', (c) => {
    commonHeaders(c, 'text/css; charset=utf-8');
    return notModified(c) ?? c.body(DASHBOARD_ASSETS.css);
  });
}

/** Mounts the dashboard's data routes (after the token check, like every data route). */
export function mountDashboardData(app: Hono): void {
  const lifecycles = dashboardLifecycles();
  app.get('/dashboard/lifecycles', (c) => c.json(lifecycles));
}
