// Who may read a scrape page. Node-RED's HTTP node server (where /metrics is served) has no authentication of its
// own, even with adminAuth on: this checks the Authorization header against a bearer token or a user and password,
// the two schemes Prometheus' scrape configs offer (`authorization` / `basic_auth`). Secrets are compared in
// constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export type ScrapeAuth = { scheme: 'none' } | { scheme: 'bearer'; token: string } | { scheme: 'basic'; username: string; password: string };

/** Equal-length digests, so neither the length nor the content leaks through timing. */
function same(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** True when the request's Authorization header satisfies `auth`. */
export function authorized(auth: ScrapeAuth, header: string | undefined): boolean {
  if (auth.scheme === 'none') return true;
  const m = /^(\w+) +(.+)$/u.exec(header?.trim() ?? '');
  if (!m) return false;
  if (auth.scheme === 'bearer') return m[1].toLowerCase() === 'bearer' && same(m[2].trim(), auth.token);
  if (m[1].toLowerCase() !== 'basic') return false;
  const decoded = Buffer.from(m[2].trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared, always: a wrong user takes as long as a wrong password.
  const userOk = same(decoded.slice(0, colon), auth.username);
  const passwordOk = same(decoded.slice(colon + 1), auth.password);
  return userOk && passwordOk;
}

/** The WWW-Authenticate challenge of a 401. */
export function challenge(auth: ScrapeAuth): string {
  return auth.scheme === 'basic' ? 'Basic realm="rackpower metrics", charset="UTF-8"' : 'Bearer realm="rackpower metrics"';
}
