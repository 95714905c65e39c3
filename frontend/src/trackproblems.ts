import type { app } from '../wailsjs/go/models'

type Translate = (key: string, args?: Record<string, unknown>) => string
type Has = (key: string) => boolean

// trackProblemText says what the platform found wrong with a synced
// track's master, in the window's words for its kind. A kind the catalog
// has no words for (an app newer than its catalog) says the platform's
// own words rather than a key.
export function trackProblemText(t: Translate, te: Has, p: app.TrackProblem): string {
  const key = 'previewwait.trackProblem.' + p.kind
  const args = { position: p.position, title: p.title, problem: p.detail }
  return te(key) ? t(key, args) : t('previewwait.trackProblem.other', args)
}
