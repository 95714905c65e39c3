package sqlite

import "context"

// shortRead returns the context for reads that an index bounds to well
// under a millisecond (a session lookup, a creator's earnings). For every
// query under a cancellable context, database/sql starts a goroutine that
// waits for the cancellation; waking it and the thread it lands on costs
// tens of microseconds, more than such a read. So these reads keep the
// context's values but not its cancellation: a request already ended is
// refused before the first read, and one that ends mid-way finishes reads
// that take a fraction of a millisecond. Reads whose length the caller
// controls (statements, searches) keep their cancellation.
func shortRead(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}
