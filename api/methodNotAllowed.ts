import type { Express, RequestHandler } from 'express';
import { Problem } from './problems';

interface RouteLike {
  methods: Record<string, boolean>;
}
interface LayerLike {
  route?: RouteLike;
  handle?: { stack?: LayerLike[] };
  match(path: string): false | { path: string };
}

/** Every method some route of `stack` serves at `path`, looking into mounted routers. */
function methodsAt(stack: LayerLike[], path: string, found: Set<string>): void {
  for (const layer of stack) {
    const matched = layer.match(path);
    if (!matched) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.add(method.toUpperCase());
    } else if (layer.handle?.stack) {
      methodsAt(layer.handle.stack, path.slice(matched.path.length) || '/', found);
    }
  }
  if (found.has('GET')) found.add('HEAD');
}

/**
 * A known path asked with a method it does not serve answers 405 with `Allow` — before
 * authentication, which would otherwise answer 401 for a request no token could make valid.
 * `OPTIONS` answers 204 with `Allow`. Read from the router's own routes, so every route added later
 * counts without being listed anywhere. Mounted after the verification route: the hot path never pays for it.
 */
export function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const allowed = new Set<string>();
    methodsAt((app as unknown as { router: { stack: LayerLike[] } }).router.stack, req.baseUrl + req.path, allowed);
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    res.setHeader('allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new Problem(405, 'method_not_allowed', 'Method not allowed', `${req.method} is not served here; use ${allow}.`, { allow: [...allowed].sort() }));
  };
}
