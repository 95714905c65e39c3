package app

import (
	"log/slog"
	"os"
	"runtime"
	"strings"

	wails "github.com/wailsapp/wails/v2/pkg/runtime"
)

// devDialogAnswer is the environment variable a dev build reads to answer
// its own confirmation dialogs ("yes" or "no"), for the browser tests that
// cannot click a native dialog; release builds never read it.
const devDialogAnswer = "MEGABOX_DEV_DIALOG_ANSWER"

// AskYesNo asks the creator a yes/no question in a native dialog (the
// window words it, in the user's language) and reports a yes.
func (x *SyncAPI) AskYesNo(title, message string) (bool, error) {
	if err := x.a.whenStarted(); err != nil {
		return false, err
	}
	if answer, ok := devAnswer(); ok {
		slog.Info("dialog answered by "+devDialogAnswer, "title", title, "message", message, "answer", answer)
		return answer, nil
	}
	if runtime.GOOS == "linux" {
		message = strings.ReplaceAll(message, "%", "%%") // GTK reads the message as a printf format
	}
	got, err := wails.MessageDialog(x.a.window(), wails.MessageDialogOptions{
		Type: wails.QuestionDialog, Title: title, Message: message,
	})
	return got == "Yes", uiError(err)
}

// devAnswer is the answer a dev build was told to give its dialogs.
func devAnswer() (bool, bool) {
	if !devBuild {
		return false, false
	}
	switch os.Getenv(devDialogAnswer) {
	case "yes":
		return true, true
	case "no":
		return false, true
	}
	return false, false
}
