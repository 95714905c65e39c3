package http

// SetThrottleBound sets how many keys each of s's throttle tables holds.
func SetThrottleBound(s *Server, n int) {
	for _, a := range []*attempts{s.throttle.signIns, s.throttle.signUps} {
		a.mu.Lock()
		a.max = n
		a.mu.Unlock()
	}
}
