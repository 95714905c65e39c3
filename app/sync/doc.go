// Package sync turns watched folders into draft releases on the platform.
// The folder on disk is the source of truth; the platform is never told
// to delete anything.
//
//	fsnotify ─▶ watcher ─▶ aggregator ─┐  (quiet window, max wait, overflow → rescan)
//	                                   ▼
//	periodic rescan ───────────▶ Engine.Serve loop ─▶ syncDir(release folder)
//	                                                    │
//	             list ─▶ stat/hash/stat (skip unchanged) ─▶ tags, duration, cover
//	                                                    │
//	             HEAD /blobs (skip known) ─▶ tus upload (resumable, persisted offset)
//	                                                    │
//	             manifest ─▶ create/update draft (published: wait for confirmation)
//
// One goroutine (Serve) owns the schedule; release folders sync one at a
// time, their uploads in parallel. Progress leaves through an Emitter.
package sync
