// Megabox desktop app: the Wails entry point.
package main

import (
	"context"
	"embed"
	"log"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"github.com/megabox-fm/megabox/app"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	app.ChooseRenderer() // before GTK starts
	a := app.New(app.Config{PlatformURL: os.Getenv("MEGABOX_PLATFORM"), Keyring: os.Getenv("MEGABOX_NO_KEYRING") == ""})
	a.OpenLinks(os.Args[1:]) // a megabox:// address the desktop opened the app with
	// The first frame comes first: the app opens once the page has loaded,
	// and bound calls wait for it.
	open := func(context.Context) {
		if !generatingBindings {
			a.Start(func(err error) { log.Fatalf("megabox: %v", err) })
		}
	}
	err := wails.Run(&options.App{
		Title:            "Megabox",
		Width:            1200,
		Height:           800,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets, Handler: a.AssetHandler(), Middleware: app.TraceStartup},
		OnStartup:        a.Startup,
		OnDomReady:       open,
		OnShutdown:       a.Shutdown,
		Bind:             a.Bindings(),
		BackgroundColour: &options.RGBA{R: 18, G: 18, B: 24, A: 255},
		// Folders dropped on the window are watched. The web view keeps its
		// own drop handling: on Linux, DisableWebViewDrop unsets the view as
		// a drop target and no drop reaches the app at all.
		DragAndDrop: &options.DragAndDrop{EnableFileDrop: true},
		// A second start (a megabox:// link clicked while the app runs)
		// hands its address to this one.
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: app.InstanceID(a.Home()),
			OnSecondInstanceLaunch: func(d options.SecondInstanceData) { a.OpenLinks(d.Args) }},
	})
	if err != nil {
		log.Fatal(err)
	}
}
