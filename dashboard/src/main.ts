// The dashboard's entry point: the stylesheets (bundled into one), and the App mounted on #app.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { Api } from './api.ts';
import { html } from './html.ts';
import { App } from './views/app.ts';

const api = new Api(globalThis.sessionStorage);
const root = document.getElementById('app')!;
// The "loading" placeholder goes first: render adds to what the element holds.
root.replaceChildren();
render(html`<${App} api=${api} />`, root);
