package http

import (
	"net/netip"
	"testing"
)

func TestClientKey(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	for _, c := range []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"IPv4 is its own key", "192.0.2.7:5000", nil, nil, "192.0.2.7"},
		{"IPv6 keyed by its /64", "[2001:db8:1:2:aaaa::1]:5000", nil, nil, "2001:db8:1:2::/64"},
		{"same /64, same key", "[2001:db8:1:2:ffff:ffff:ffff:ffff]:5000", nil, nil, "2001:db8:1:2::/64"},
		{"next /64, another key", "[2001:db8:1:3::1]:5000", nil, nil, "2001:db8:1:3::/64"},
		{"IPv6 zone dropped", "[fe80::1%eth0]:5000", nil, nil, "fe80::/64"},
		{"IPv4-mapped IPv6 is IPv4", "[::ffff:192.0.2.7]:5000", nil, nil, "192.0.2.7"},
		{"X-Forwarded-For ignored by default", "192.0.2.7:5000", []string{"198.51.100.1"}, nil, "192.0.2.7"},
		{"X-Forwarded-For ignored from an untrusted peer", "192.0.2.7:5000", []string{"198.51.100.1"}, proxies, "192.0.2.7"},
		{"trusted proxy names the client", "10.1.1.1:5000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"client's own entries on the left ignored", "10.1.1.1:5000", []string{"203.0.113.9, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"chain of trusted proxies skipped", "10.1.1.1:5000", []string{"203.0.113.9, 198.51.100.1, 10.2.2.2", "[2001:db8:ffff::5]:443"}, proxies, "198.51.100.1"},
		{"forwarded IPv6 keyed by its /64", "10.1.1.1:5000", []string{"2001:db8:5:6::7"}, proxies, "2001:db8:5:6::/64"},
		{"forwarded mapped IPv4", "10.1.1.1:5000", []string{"::ffff:198.51.100.1"}, proxies, "198.51.100.1"},
		{"trusted peer without the header", "10.1.1.1:5000", nil, proxies, "10.1.1.1"},
		{"garbage stops the walk at the last proxy", "10.1.1.1:5000", []string{"198.51.100.1, nonsense, 10.2.2.2"}, proxies, "10.2.2.2"},
		{"only trusted hops: the farthest", "10.1.1.1:5000", []string{"10.3.3.3, 10.2.2.2"}, proxies, "10.3.3.3"},
	} {
		if got := addrKey(clientAddr(c.remote, c.xff, c.trusted)); got != c.want {
			t.Errorf("%s: key(%s, XFF %q) = %q, want %q", c.name, c.remote, c.xff, got, c.want)
		}
	}
}
