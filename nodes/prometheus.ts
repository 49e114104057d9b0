// rackpower-prometheus: device node readings and events in, a Prometheus scrape page out, served on Node-RED's own
// HTTP server (RED.httpNode, where http-in nodes live; default path /metrics). The metrics are
// src/integrations/prometheus.ts: one private registry per node.
import type { NodeAPI, NodeDef } from 'node-red';
import type { Express, Request, Response } from 'express';
import { MetricsRegistry } from '../src/integrations/prometheus';
import { authorized, challenge, type ScrapeAuth } from '../src/integrations/scrape-auth';
import { onOutputInput } from './lib/output-node';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface PrometheusDef extends NodeDef {
  path: string;
  /** Minutes without news of a device before its series go; 0 = never. */
  forgetAfter: number | string;
  /** Who may scrape: `none` (anyone who reaches Node-RED's HTTP node server), `bearer` or `basic`. */
  auth?: 'none' | 'bearer' | 'basic';
  username?: string;
}

/** Node-RED credentials: never in the flow JSON. */
interface PrometheusCredentials {
  token?: string;
  password?: string;
}

/** The page's access rule, or a reason it cannot be served safely (a scheme chosen without its secret). */
function scrapeAuth(def: PrometheusDef, creds: PrometheusCredentials): ScrapeAuth | string {
  switch (def.auth) {
    case 'bearer':
      return creds.token ? { scheme: 'bearer', token: creds.token } : 'token';
    case 'basic':
      return def.username && creds.password ? { scheme: 'basic', username: def.username, password: creds.password } : 'basic';
    default:
      return { scheme: 'none' };
  }
}

const TYPE = 'rackpower-prometheus';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const MAX_CHECK_MS = 60_000;

type Handler = (req: Request, res: Response) => void;

/**
 * One Express route per path and server, added once and never removed: it serves whichever node holds the path now
 * (undefined: none, 404). A redeploy swaps the handler instead of stacking routes, and no Express internals are
 * touched to remove one.
 */
const served = new WeakMap<Express, Map<string, Handler | undefined>>();

/** Makes `handler` serve `path`; false when another node already does. */
function serve(app: Express, path: string, handler: Handler): boolean {
  let handlers = served.get(app);
  if (!handlers) {
    handlers = new Map();
    served.set(app, handlers);
  }
  if (handlers.get(path)) return false;
  if (!handlers.has(path)) {
    const current = handlers;
    app.get(path, (req, res, next) => {
      const h = current.get(path);
      if (h) h(req, res);
      else next();
    });
  }
  handlers.set(path, handler);
  return true;
}

export = (RED: NodeAPI): void => {
  registerNode<PrometheusDef, PrometheusCredentials>(RED, TYPE, function (def, { refuse, onClose }) {
    const registry = new MetricsRegistry();
    const path = `/${String(def.path || '/metrics').trim().replace(/^\/+/u, '')}`;
    const forgetMs = Math.max(0, editorNumber(def.forgetAfter, 0)) * 60_000;
    const app = RED.httpNode as unknown as Express | undefined;
    const auth = scrapeAuth(def, (this.credentials ?? {}) as PrometheusCredentials);

    const handler: Handler = (req, res) => {
      if (typeof auth === 'string' || !authorized(auth, req.headers.authorization)) {
        // Without its secret a protected page is never served (never falls back to open).
        res.status(401).set('WWW-Authenticate', typeof auth === 'string' ? 'Bearer' : challenge(auth)).send('unauthorized\n');
        return;
      }
      res.set('Content-Type', CONTENT_TYPE).send(registry.render());
    };
    const showCount = (): void => {
      if (typeof auth !== 'string') this.status({ fill: 'green', shape: 'dot', text: RED._(`${TYPE}.status.serving`, { path, count: registry.size }) });
    };

    if (typeof auth === 'string') refuse(RED._(`${TYPE}.errors.${auth === 'token' ? 'noToken' : 'noPassword'}`), RED._(`${TYPE}.status.noSecret`));
    if (!app) refuse(RED._(`${TYPE}.errors.noHttp`), RED._(`${TYPE}.status.noHttp`));
    else if (!serve(app, path, handler)) refuse(RED._(`${TYPE}.errors.pathTaken`, { path }), RED._(`${TYPE}.status.pathTaken`, { path }));
    else showCount();

    // remove, or forget (a standby handing its shard back): this page drops the series either way.
    const remove = (device: string | undefined): void => {
      registry.remove(device);
      showCount();
    };
    onOutputInput(RED, this, {
      remove,
      forget: remove,
      input: (input) => {
        const before = registry.size;
        registry.handle(input);
        if (registry.size !== before) showCount();
      },
    });

    const expiry = forgetMs
      ? setInterval(() => {
          registry.expire(Date.now(), forgetMs);
          showCount();
        }, Math.min(forgetMs / 10, MAX_CHECK_MS))
      : undefined;

    onClose(() => {
      clearInterval(expiry);
      // Only this node's own handler goes (not one of a node that kept the path): 404 until a node serves it again.
      const handlers = app && served.get(app);
      if (handlers?.get(path) === handler) handlers.set(path, undefined);
    });
  }, { credentials: { token: { type: 'password' }, password: { type: 'password' } } });
};
