package clients

import (
	"context"
	"fmt"
	"net/http"

	lite "cloud.google.com/go/pubsublite/pscompat"
	"cloud.google.com/go/storage"
	vision "cloud.google.com/go/vision/apiv1"
	translate "cloud.google.com/go/translate/apiv3"
	"github.com/acme/billing"
	"google.golang.org/api/idtoken"
	"google.golang.org/genai"
	"github.com/acme/queue"
)

// Release knowledge comes from the callee's import path, not from its name.

// Negative: idtoken's client is a plain *http.Client: nothing to close.
func callPrivate(w http.ResponseWriter, r *http.Request, audience string) {
	// ok: unclosed-client
	hc, err := idtoken.NewClient(r.Context(), audience)
	if err != nil {
		return
	}
	resp, err := hc.Get(audience)
	if err == nil {
		resp.Body.Close()
	}
}

// Negative: the genai client holds no connection and has no Close.
func summarize(ctx context.Context, text string) error {
	// ok: unclosed-client
	gc, err := genai.NewClient(ctx, nil)
	if err != nil {
		return err
	}
	_, err = gc.Models.GenerateContent(ctx, "model", nil, nil)
	return err
}

// Negative: a Pub/Sub Lite publisher is released by Stop.
func publishLite(ctx context.Context, topic string, data []byte) error {
	// ok: unclosed-client
	pub, err := lite.NewPublisherClient(ctx, topic)
	if err != nil {
		return err
	}
	defer pub.Stop()
	_, err = pub.Publish(ctx, nil).Get(ctx)
	return err
}

// Positive: the same publisher never stopped (the message names Stop).
func publishLiteLeak(ctx context.Context, topic string) error {
	// ruleid: unclosed-client
	pub, err := lite.NewPublisherClient(ctx, topic)
	if err != nil {
		return err
	}
	_, err = pub.Publish(ctx, nil).Get(ctx)
	return err
}

// Positive: a cloud.google.com/go client found through an unaliased versioned import
// (`vision/apiv1` is package vision).
func labels(ctx context.Context, uri string) error {
	// ruleid: unclosed-client
	ic, err := vision.NewImageAnnotatorClient(ctx)
	if err != nil {
		return err
	}
	_, err = ic.DetectLabels(ctx, nil, nil, 5)
	return err
}

// Positive: an aliased Cloud import.
func translateOne(ctx context.Context, text string) error {
	// ruleid: unclosed-client
	tc, err := translate.NewTranslationClient(ctx)
	if err != nil {
		return err
	}
	_, err = tc.TranslateText(ctx, nil)
	return err
}

// Negative: a third-party client whose release method nothing shows: not guessed.
func charge(ctx context.Context, id string) error {
	// ok: unclosed-client
	bc, err := billing.NewClient(ctx)
	if err != nil {
		return err
	}
	return bc.Charge(ctx, id)
}

// Evidence from the package itself: queue.NewConsumerClient's results are shut down here...
func drainQueue(ctx context.Context) error {
	// ok: unclosed-client
	qc, err := queue.NewConsumerClient(ctx, "jobs")
	if err != nil {
		return err
	}
	defer qc.Shutdown()
	return qc.Drain(ctx)
}

// Positive: ...so the same constructor left running elsewhere is a leak (named Shutdown).
func peekQueue(ctx context.Context) (int, error) {
	// ruleid: unclosed-client
	qc, err := queue.NewConsumerClient(ctx, "jobs")
	if err != nil {
		return 0, err
	}
	return qc.Len(ctx)
}

// Negative: a local variable named like a package is not that package.
func notAPackage(ctx context.Context, storageFactory interface {
	NewClient(context.Context) (*storage.Client, error)
}) {
	// ok: unclosed-client
	c, _ := storageFactory.NewClient(ctx)
	fmt.Println(c != nil)
}
