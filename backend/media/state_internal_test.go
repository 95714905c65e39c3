package media

import (
	"reflect"
	"testing"
)

// TestStateMirrorsEveryField: a field added to the sniffer, the frame
// counter or the image walker must be added to its saved state too, or a
// resumed upload would lose it.
func TestStateMirrorsEveryField(t *testing.T) {
	pairs := []struct {
		live, saved any
		extra       int // fields the saved form packs differently
	}{
		{Sniffer{}, snifferState{}, 0},
		{FrameCounter{}, frameState{}, 0},
		{imageEnd{}, imageState{}, 0},
		{sniffFLACWalk{}, flacState{}, 0},
		{sniffText{}, textState{}, 0},
	}
	for _, p := range pairs {
		live, saved := reflect.TypeOf(p.live), reflect.TypeOf(p.saved)
		if live.NumField() != saved.NumField()+p.extra {
			t.Errorf("%s has %d fields, its saved state %s has %d", live.Name(), live.NumField(), saved.Name(), saved.NumField())
		}
	}
}
