import type { sync } from '../wailsjs/go/models'
import { ApiError } from './api'
import { errorText } from './errors'

type Translate = (key: string, args?: Record<string, unknown> | number, plural?: number) => string
type Has = (key: string) => boolean
export type SyncProblem = Pick<sync.Problem, 'kind'> & Partial<sync.Problem>

// problemText says why a file or release folder cannot sync, by the
// problem's kind and the few values its message needs. The detail (the
// cause in English) is for the log: it never reaches the screen.
export function problemText(t: Translate, te: Has, p: SyncProblem | null | undefined): string {
  if (!p?.kind) return ''
  const args = { name: p.name ?? '', field: p.field ?? '', folder: p.folder ?? '', count: p.count ?? 0, total: p.total ?? 0, limit: p.limit ?? 0 }
  const reason = () => errorText(t, te, new ApiError(p.code || 'invalid', p.detail ?? '', p.field ?? ''))
  switch (p.kind) {
    case 'unsupported_type':
      return p.name ? t('syncProblem.unsupported_type', args) : t('syncProblem.unsupported_type_unnamed')
    case 'sidecar_invalid':
      if (p.field && p.code) return t('syncProblem.sidecar_refused', { ...args, reason: reason() })
      return p.field ? t('syncProblem.sidecar_invalid_field', args) : t('syncProblem.sidecar_invalid')
    case 'refused_by_platform':
      return t('syncProblem.refused_by_platform', { reason: reason() })
    case 'extra_too_many':
      return t(p.field ? 'syncProblem.extra_too_many_' + p.field : 'syncProblem.extra_too_many', args)
    case 'files_need_attention':
      return t('syncProblem.files_need_attention', args, args.count)
    case 'sync_off':
      return t(p.field === 'watch' ? 'syncProblem.sync_off_watch' : 'syncProblem.sync_off_folders')
    case 'unwatched':
      return t('syncProblem.unwatched', args, args.count) + (p.code === 'watch_limit' ? ' ' + t('syncProblem.watch_limit') : '')
  }
  return te('syncProblem.' + p.kind) ? t('syncProblem.' + p.kind, args) : t('syncProblem.unknown')
}
