import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';

/** dist/console under the repository root, found from here whether this runs compiled (dist/api) or from source (api/). */
export function consoleDirectory(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'console');
}

/**
 * The web console at `/`: static files built by Vite (`npm run build`), no data in them — the console
 * reads everything through `/v1` like any client. Hashed assets are cached for good, the page never;
 * the page may load scripts only from here (antd writes its styles inline).
 */
export function consoleRoutes(root = consoleDirectory()): express.Handler {
  const serve = express.static(root, {
    index: 'index.html',
    setHeaders: (res, file) => {
      res.setHeader('x-content-type-options', 'nosniff');
      if (file.endsWith('.html')) {
        res.setHeader('cache-control', 'no-cache');
        res.setHeader('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
        res.setHeader('referrer-policy', 'no-referrer');
      } else if (file.includes(`${path.sep}assets${path.sep}`)) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
  return (req, res, next) => (req.path.startsWith('/v1/') ? next() : serve(req, res, next));
}
