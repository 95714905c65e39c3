// The only module that calls the generated Wails bindings. Every call goes
// through `call`, which turns a rejected promise into an ApiError.
import * as Account from '../../wailsjs/go/app/AccountAPI'
import * as Sync from '../../wailsjs/go/app/SyncAPI'
import * as Store from '../../wailsjs/go/app/StoreAPI'
import * as Library from '../../wailsjs/go/app/LibraryAPI'
import * as Player from '../../wailsjs/go/app/PlayerAPI'
import * as Earnings from '../../wailsjs/go/app/EarningsAPI'
import * as Rules from '../../wailsjs/go/app/RulesAPI'
import * as Desktop from '../../wailsjs/go/app/DesktopAPI'
import * as Codes from '../../wailsjs/go/app/CodesAPI'
import * as Insight from '../../wailsjs/go/app/InsightAPI'
import * as Runtime from '../../wailsjs/runtime/runtime'

export class ApiError extends Error {
  constructor(public code: string, message: string, public field = '') {
    super(message)
    this.name = 'ApiError'
  }
}

// SaidError is an error the window made itself, its message already in the
// user's words: shown as it is.
export class SaidError extends ApiError {
  readonly said = true
}

// toApiError reads the JSON the Go side rejects with; anything else is an
// internal error carrying its text.
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  const text = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e)
  try {
    const p = JSON.parse(text)
    if (p && typeof p.code === 'string') return new ApiError(p.code, p.message || p.code, p.field || '')
  } catch {
    /* not JSON */
  }
  return new ApiError('internal', text)
}

export async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    throw toApiError(e)
  }
}

export const api = { Account, Sync, Store, Library, Player, Earnings, Rules, Desktop, Codes, Insight }

export function on<T = unknown>(event: string, fn: (payload: T) => void): () => void {
  return Runtime.EventsOn(event, fn)
}

// onFileDrop hands the paths of files and folders dropped anywhere on the
// window to fn (the native drop; a browser has none and never calls it).
export function onFileDrop(fn: (paths: string[]) => void) {
  try {
    Runtime.OnFileDrop((_x, _y, paths) => fn(paths || []), false)
  } catch {
    /* no native runtime */
  }
}
