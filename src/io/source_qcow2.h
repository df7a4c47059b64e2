/*
 * source_qcow2.h - mlvm's own read-only reader of qcow2 images (versions
 * 2 and 3; clusters plain, all-zero, unallocated, or compressed with
 * zlib's raw deflate or zstd), used before libqcow (source_libyal.h).
 *
 * What it reads: the active L1 table and its L2 tables (snapshots, refcounts
 * and header extensions are not needed to read the image and are not read).
 * An unallocated cluster reads as zeros, which is right because an image
 * with a backing file is refused. What it refuses, with the image, the field
 * and its byte offset in words: a header cut short, cluster_bits outside
 * 9..21, encryption, a backing file, the corrupt bit, an external data file,
 * extended L2 entries (subclusters), an unknown incompatible feature bit or
 * compression type, an L1 table outside the file or too small for the size
 * or larger than qemu makes one (32 MiB). The dirty bit (refcounts not
 * up to date) does not matter for reading and is ignored.
 *
 * A read is 0 or -EIO: a table or cluster that points outside the file, an
 * unaligned table or cluster offset, or compressed data that does not
 * decompress to exactly one cluster is an error, never zeros; the words of
 * the last such error (the image, the guest byte, the host byte, what is
 * wrong) come from mlvm_source_read_error (source.h).
 *
 * Threads: reads of MLVM_QCOW2_PARALLEL_MIN bytes or more are cut into
 * pieces of whole clusters (at least 256 KiB) that worker threads (as many
 * as mlvm_io_threads allows, at most 8; none with MLVM_IO_THREADS=0) and
 * the caller decompress straight into the caller's buffer; smaller reads
 * run on the caller's thread. A range announced with mlvm_source_willneed
 * (the exporter's next chunks) is decompressed ahead by the workers into a
 * bounded cache (pieces of whole clusters, at least 1 MiB, 16 MiB in all)
 * and copied out by the read that wants it, so that decompressing
 * overlaps the caller's writing; a piece that failed ahead is read again
 * by the read itself, for the error's words. A range announced with
 * mlvm_source_willneed_into is decompressed ahead the same way, but each
 * piece wholly inside it straight into the caller's buffer (at most 16
 * pieces at once; the parts at its ends go to the cache), where the read
 * finds it in place and copies nothing. The file is read with pread
 * only, so reads from several threads at once are safe (the source is
 * concurrent).
 * Memory: the L1 table (at most 32 MiB, no more than the file), the cache,
 * and per thread one cluster of output and two clusters of compressed
 * input.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_SOURCE_QCOW2_H
#define MLVM_SOURCE_QCOW2_H

#include <stddef.h>
#include <stdint.h>

struct mlvm_source;
struct mlvm_report;

#define MLVM_QCOW2_PARALLEL_MIN (1u << 20)

/* returned (positive) when the image is a qcow this reader leaves to
 * libqcow (version 1); nothing is added to the report then */
#define MLVM_QCOW2_NOT_MINE 1

/*
 * Open the qcow2 image whose bytes file holds (a raw source: a file opened
 * with MLVM_SOURCE_RAW, or memory), named name in messages. file is taken
 * over: closed on failure and when *out is closed. 0 and *out,
 * MLVM_QCOW2_NOT_MINE (file closed, nothing reported), or a negative errno
 * with ONE "open" entry for name in r (io/source_error.h).
 */
int mlvm_qcow2_open_source(struct mlvm_source *file, const char *name,
			   struct mlvm_source **out, struct mlvm_report *r);

/* the same for the image at path (opened read-only, raw) */
int mlvm_source_open_qcow2(const char *path, struct mlvm_source **out, struct mlvm_report *r);

#endif
