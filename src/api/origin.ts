import type { FastifyRequest } from 'fastify'

/**
 * Where a browser says a request comes from. `same`: this site (Sec-Fetch-Site: same-origin, or an
 * Origin whose host is this request's Host or the public address); `cross`: another site, or an
 * opaque `Origin: null`; `unknown`: neither header (not a browser: curl, a script with a token).
 *
 * Sec-Fetch-Site comes first: the dashboard's pages use `Referrer-Policy: no-referrer`, under
 * which browsers send `Origin: null` even for the page's own form posts.
 */
export function requestSite(req: FastifyRequest, publicUrl: () => string): 'same' | 'cross' | 'unknown' {
  const fetchSite = header(req, 'sec-fetch-site')
  if (fetchSite !== undefined) return fetchSite === 'same-origin' ? 'same' : 'cross'
  const origin = header(req, 'origin')
  if (origin === undefined) return 'unknown'
  const host = hostOf(origin)
  if (host === null) return 'cross'
  // The Host header as the origin's scheme would write it (http://h:80 is http://h).
  const own = req.headers.host ? hostOf(`${origin.slice(0, origin.indexOf(':'))}://${req.headers.host}`) : null
  return host === own || host === hostOf(publicUrl()) ? 'same' : 'cross'
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name]
  return typeof value === 'string' ? value.trim().toLowerCase() : undefined
}

function hostOf(origin: string): string | null {
  if (origin === 'null') return null
  try {
    return new URL(origin).host
  } catch {
    return null
  }
}
