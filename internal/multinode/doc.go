// Package multinode tests megaboxd as it is deployed past one machine:
// two server processes on one PostgreSQL database and one S3 bucket,
// reached at random, retried across each other, and killed under load.
// Its tests build megaboxd once and run it as separate processes; they
// skip without the test services (scripts/services.sh starts them).
package multinode
