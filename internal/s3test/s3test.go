// Package s3test gives a test its own bucket on the S3 server that
// scripts/services.sh starts: MEGABOX_TEST_S3 is its endpoint, the
// credentials are in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Without
// the variable a test skips, unless MEGABOX_REQUIRE_SERVICES=1, where it
// fails.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	s3blob "github.com/megabox-fm/megabox/backend/blob/s3"
)

// Endpoint returns the test S3 server's URL, or skips the test.
func Endpoint(t testing.TB) string {
	t.Helper()
	e := os.Getenv("MEGABOX_TEST_S3")
	if e == "" {
		if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
			t.Fatal("MEGABOX_TEST_S3 is not set but MEGABOX_REQUIRE_SERVICES=1: run the tests through scripts/services.sh")
		}
		t.Skip("no S3 server: MEGABOX_TEST_S3 is not set (scripts/services.sh sets it)")
	}
	return e
}

// Bucket creates an empty bucket for the test, removed with its objects
// when the test ends, and returns its s3:// URL and a client for it.
func Bucket(t testing.TB) (string, *s3.Client) {
	t.Helper()
	endpoint := Endpoint(t)
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	ctx := context.Background()
	client, err := s3blob.NewClient(ctx, s3blob.Config{Endpoint: endpoint, Region: region, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	name := "megabox-test-" + randomHex(8)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("create test bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := remove(ctx, client, name); err != nil {
			t.Errorf("remove test bucket %s: %v", name, err)
		}
	})
	q := url.Values{"endpoint": {endpoint}, "region": {region}, "path_style": {"true"}}
	return "s3://" + name + "?" + q.Encode(), client
}

// remove empties a bucket (objects and unfinished multipart uploads) and
// deletes it.
func remove(ctx context.Context, client *s3.Client, name string) error {
	objects := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &name})
	for objects.HasMorePages() {
		page, err := objects.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &name, Key: o.Key}); err != nil {
				return err
			}
		}
	}
	uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &name})
	if err != nil {
		return err
	}
	for _, u := range uploads.Uploads {
		if err := abort(ctx, client, name, u); err != nil {
			return err
		}
	}
	_, err = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &name})
	return err
}

func abort(ctx context.Context, client *s3.Client, bucket string, u types.MultipartUpload) error {
	_, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: u.Key, UploadId: u.UploadId})
	return err
}

// Uploads lists the bucket's unfinished multipart uploads.
func Uploads(t testing.TB, client *s3.Client, bucket string) []types.MultipartUpload {
	t.Helper()
	out, err := client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("list multipart uploads: %v", err)
	}
	return out.Uploads
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
