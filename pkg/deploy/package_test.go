package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteZipIsReproducibleAndLambdaShaped(t *testing.T) {
	files := []ZipFile{{Name: "bootstrap", Mode: 0o755, Data: bytes.Repeat([]byte("binary "), 1000)}}
	var a, b bytes.Buffer
	if err := WriteZip(&a, files); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a zip stamped with the clock would differ now
	if err := WriteZip(&b, files); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two zips of the same file differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" || f.Mode().Perm() != 0o755 || !f.Modified.Equal(zipEpoch) || f.Method != zip.Deflate {
		t.Fatalf("entry %s mode %v modified %v method %d", f.Name, f.Mode(), f.Modified, f.Method)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, files[0].Data) {
		t.Fatalf("content differs: %v", err)
	}
	// A different mode gives different bytes: the mode is really recorded.
	var c bytes.Buffer
	if err := WriteZip(&c, []ZipFile{{Name: "bootstrap", Mode: 0o644, Data: files[0].Data}}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("mode is not part of the zip")
	}
}

// Building a task twice, from separate scratch directories at different
// times, gives the same zip byte for byte. One task keeps the test fast
// (the first cross-compile of its dependencies for arm64 dominates; the
// other tasks use the same flags and the same zip writer).
func TestPackageIsByteForByteReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the linux/arm64 build")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for i := range 2 {
		out := filepath.Join(t.TempDir(), "dist")
		arts, err := Package(ctx, PackageOptions{RepoDir: repo, OutDir: out, Tasks: []string{"park"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) != 1 || arts[0].Path != filepath.Join(out, "park.zip") || arts[0].Size < 1<<20 {
			t.Fatalf("build %d: %+v", i, arts)
		}
		sums = append(sums, arts[0].SHA256)
		if i == 0 {
			zr, err := zip.OpenReader(arts[0].Path)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := zr.File[0].Open()
			if err != nil {
				t.Fatal(err)
			}
			head := make([]byte, 20)
			_, err = io.ReadFull(rc, head)
			rc.Close()
			zr.Close()
			// ELF, 64-bit, little endian, machine EM_AARCH64 (183).
			if err != nil || string(head[:4]) != "\x7fELF" || head[4] != 2 || head[18] != 183 {
				t.Fatalf("bootstrap is not a linux/arm64 ELF: % x (%v)", head, err)
			}
			time.Sleep(1100 * time.Millisecond)
		}
	}
	t.Logf("park.zip sha256 %s twice", sums[0])
	if sums[0] != sums[1] {
		t.Fatalf("two builds differ: %s != %s", sums[0], sums[1])
	}
}

func TestTasksListsTaskDirectories(t *testing.T) {
	tasks, err := Tasks("../..")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"call-logiwa", "park", "redrive", "start-execution", "sync", "update-db", "validate"}
	if len(tasks) != len(want) {
		t.Fatalf("tasks %v", tasks)
	}
	for i := range want {
		if tasks[i] != want[i] {
			t.Fatalf("tasks %v, want %v", tasks, want)
		}
	}
	if _, err := Tasks(t.TempDir()); err == nil {
		t.Fatal("no tasks/ should be an error")
	}
}

func TestPackageReportsBuildErrors(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Package(context.Background(), PackageOptions{RepoDir: repo, OutDir: t.TempDir(), Tasks: []string{"no-such-task"}})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("build task no-such-task")) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(repo, "dist", "no-such-task.zip")); err == nil {
		t.Fatal("a failed build left a zip")
	}
}
