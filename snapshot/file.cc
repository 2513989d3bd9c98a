#include "snapshot/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "base/crc32c.h"
#include "base/fd.h"
#include "base/logging.h"

namespace strata::snapshot {
namespace {

// Appends gather here and reach the file in writes of about this size.
constexpr size_t kBufferSize = 1u << 20;
// After every this many bytes written, their write-back is started (sync_file_range), so that
// Finish's fdatasync does not have gigabytes of dirty pages to flush at once.
constexpr uint64_t kSyncRangeBytes = 8u << 20;

std::string ParentDir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// A byte buffer that only grows, and without zero-filling.
class Buffer {
 public:
  char* Get(size_t n) {
    n = std::max<size_t>(n, 1);
    if (n > cap_) {
      data_.reset(new char[n]);
      cap_ = n;
    }
    return data_.get();
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
};

struct DCtxFree {
  void operator()(ZSTD_DCtx* dctx) const { ZSTD_freeDCtx(dctx); }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// FileWriter

void FileWriter::CCtxFree::operator()(ZSTD_CCtx_s* cctx) const { ZSTD_freeCCtx(cctx); }

FileWriter::FileWriter(std::string final_path, FileLayer* files,
                       std::unique_ptr<WritableFile> file)
    : final_path_(std::move(final_path)),
      tmp_path_(final_path_ + std::string(kTempSuffix)),
      files_(files),
      file_(std::move(file)) {}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& final_path,
                                                       uint32_t shards, uint32_t databases,
                                                       uint64_t id, uint64_t created_ms,
                                                       int zstd_level, FileLayer* files) {
  if (shards == 0) return Status::InvalidArgument("a snapshot needs at least one shard");
  if (zstd_level < ZSTD_minCLevel() || zstd_level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument("zstd level " + std::to_string(zstd_level) + " outside [" +
                                   std::to_string(ZSTD_minCLevel()) + ", " +
                                   std::to_string(ZSTD_maxCLevel()) + "]");
  }
  if (files == nullptr) files = FileLayer::Default();
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                   files->OpenWritable(final_path + std::string(kTempSuffix), true, nullptr));
  // The writer owns the file from here on, and deletes it unless Finish renames it.
  std::unique_ptr<FileWriter> w(new FileWriter(final_path, files, std::move(file)));

  w->cctx_.reset(ZSTD_createCCtx());
  if (w->cctx_ == nullptr) return Status::IOError("ZSTD_createCCtx failed: out of memory");
  // The block CRC covers the frame, so zstd's own checksum would only cost time.
  for (auto [param, value] :
       {std::pair{ZSTD_c_compressionLevel, zstd_level}, std::pair{ZSTD_c_checksumFlag, 0},
        std::pair{ZSTD_c_contentSizeFlag, 1}}) {
    size_t rc = ZSTD_CCtx_setParameter(w->cctx_.get(), param, value);
    if (ZSTD_isError(rc)) {
      return Status::InvalidArgument(std::string("zstd parameter: ") + ZSTD_getErrorName(rc));
    }
  }

  FileMeta& m = w->meta_;
  m.shards = shards;
  m.databases = databases;
  m.id = id;
  m.created_ms = created_ms;
  m.shard_info.assign(shards, ShardInfo{});
  w->buffer_.reserve(kBufferSize);
  RETURN_IF_ERROR(w->Append(EncodeHeader(m)));
  return w;
}

FileWriter::~FileWriter() {
  file_.reset();
  if (finished_) return;
  const Status st = files_->Remove(tmp_path_);
  std::error_code ec;
  if (!st.ok() && std::filesystem::exists(tmp_path_, ec)) {
    LOG_WARN("could not remove the unfinished snapshot %s: %s", tmp_path_.c_str(),
             std::string(ErrnoReason(st)).c_str());
  }
}

Status FileWriter::Fail(Status st) {
  error_ = st;
  return st;
}

Status FileWriter::AddBlock(uint32_t shard, std::string_view raw, uint32_t entries) {
  if (!error_.ok()) return error_;
  if (finished_) return Status::InvalidArgument("AddBlock after Finish on " + final_path_);
  if (shard >= meta_.shards) {
    return Status::InvalidArgument("snapshot block for shard " + std::to_string(shard) + " of " +
                                   std::to_string(meta_.shards));
  }
  if (raw.size() > kMaxRawBlock) {
    return Status::InvalidArgument("snapshot block of " + std::to_string(raw.size()) +
                                   " bytes exceeds the limit of " + std::to_string(kMaxRawBlock));
  }
  const size_t bound = ZSTD_compressBound(raw.size());
  if (kBlockHeaderSize + bound > block_cap_) {
    block_cap_ = kBlockHeaderSize + bound;
    block_.reset(new char[block_cap_]);
  }
  char* block = block_.get();
  const size_t frame_len =
      ZSTD_compress2(cctx_.get(), block + kBlockHeaderSize, bound, raw.data(), raw.size());
  if (ZSTD_isError(frame_len)) {
    return Fail(Status::IOError("compressing a block of " + tmp_path_ + ": " +
                                ZSTD_getErrorName(frame_len)));
  }
  const uint32_t raw_len = static_cast<uint32_t>(raw.size());
  const uint32_t stored_len = static_cast<uint32_t>(kBlockHeaderSize + frame_len);
  EncodeBlockHeader(block, shard, raw_len, static_cast<uint32_t>(frame_len), entries);

  const uint64_t offset = offset_;
  RETURN_IF_ERROR(Append(std::string_view(block, stored_len)));
  meta_.blocks.push_back(BlockRef{shard, offset, stored_len, raw_len, entries});
  ShardInfo& info = meta_.shard_info[shard];
  info.entries += entries;
  info.raw_bytes += raw_len;
  info.stored_bytes += stored_len;
  info.blocks += 1;
  return Status::Ok();
}

Status FileWriter::Finish(const std::vector<uint64_t>& shard_lsns) {
  if (!error_.ok()) return error_;
  if (finished_) return Status::InvalidArgument("Finish called twice on " + final_path_);
  if (shard_lsns.size() != meta_.shards) {
    return Status::InvalidArgument("Finish got " + std::to_string(shard_lsns.size()) +
                                   " LSNs for " + std::to_string(meta_.shards) + " shards");
  }
  for (uint32_t s = 0; s < meta_.shards; ++s) meta_.shard_info[s].lsn = shard_lsns[s];

  const std::string footer = EncodeFooter(meta_);
  Trailer trailer;
  trailer.footer_offset = offset_;
  trailer.footer_len = footer.size();
  trailer.footer_crc = Crc32c(footer);
  RETURN_IF_ERROR(Append(footer));
  RETURN_IF_ERROR(Append(EncodeTrailer(trailer)));
  RETURN_IF_ERROR(FlushBuffer());
  Status st = file_->Sync();
  if (!st.ok()) return Fail(st);
  st = file_->Close();
  file_.reset();
  if (!st.ok()) return Fail(st);
  st = files_->Rename(tmp_path_, final_path_);
  if (!st.ok()) return Fail(st);
  finished_ = true;  // from here on the file is no longer ours to delete
  meta_.file_bytes = offset_;
  st = files_->SyncDir(ParentDir(final_path_));
  if (!st.ok()) return Fail(st);
  return Status::Ok();
}

Status FileWriter::Append(std::string_view data) {
  if (!error_.ok()) return error_;
  offset_ += data.size();
  if (buffer_.size() + data.size() > kBufferSize) {
    RETURN_IF_ERROR(FlushBuffer());
    if (data.size() >= kBufferSize) return WriteFile(data);  // no point copying it first
  }
  buffer_.append(data);
  return Status::Ok();
}

Status FileWriter::FlushBuffer() {
  if (buffer_.empty()) return Status::Ok();
  Status st = WriteFile(buffer_);
  buffer_.clear();
  return st;
}

Status FileWriter::WriteFile(std::string_view data) {
  Status st = file_->Write(file_offset_, data, false);
  if (!st.ok()) return Fail(st);
  file_offset_ += data.size();
  if (file_offset_ - range_synced_ >= kSyncRangeBytes) {
    st = file_->StartWriteBack(range_synced_, file_offset_ - range_synced_);
    if (!st.ok()) return Fail(st);
    range_synced_ = file_offset_;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// FileReader

struct FileReader::Scratch {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx{ZSTD_createDCtx()};
  Buffer in;   // the stored block
  Buffer out;  // its raw bytes
};

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path) {
  Fd owned(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!owned.valid()) return ErrnoStatus("open", path, errno);
  const int fd = owned.get();
  std::unique_ptr<FileReader> r(new FileReader(path, std::move(owned)));
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("stat", path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  FileMeta& m = r->meta_;
  std::string why;

  std::string header(kHeaderSize, '\0');
  size_t got;
  RETURN_IF_ERROR(ReadFull(fd, header.data(), header.size(), 0, path, &got));
  header.resize(got);
  if (!DecodeHeader(header, &m, &why)) return r->CorruptionAt(0, why);

  const uint64_t min_size = kHeaderSize + kFooterFixedSize + kTrailerSize;
  if (size < min_size) {
    return r->CorruptionAt(size, "file of " + std::to_string(size) +
                                     " bytes is too short for a footer and trailer (cut short?)");
  }
  const uint64_t trailer_offset = size - kTrailerSize;
  std::string tbytes(kTrailerSize, '\0');
  RETURN_IF_ERROR(ReadFull(fd, tbytes.data(), tbytes.size(), trailer_offset, path, &got));
  if (got != kTrailerSize) return r->CorruptionAt(trailer_offset + got, "file shrank");
  Trailer trailer;
  if (!DecodeTrailer(tbytes, &trailer, &why)) return r->CorruptionAt(trailer_offset, why);
  if (trailer.footer_len < kFooterFixedSize || trailer.footer_len > trailer_offset - kHeaderSize ||
      trailer.footer_offset != trailer_offset - trailer.footer_len) {
    return r->CorruptionAt(trailer_offset, "trailer places the footer at offset " +
                                               std::to_string(trailer.footer_offset) + ", " +
                                               std::to_string(trailer.footer_len) +
                                               " bytes, which does not end at the trailer");
  }

  // Bounded by the file's size, which the trailer check above ties it to.
  std::string footer(trailer.footer_len, '\0');
  RETURN_IF_ERROR(ReadFull(fd, footer.data(), footer.size(), trailer.footer_offset, path, &got));
  if (got != footer.size()) return r->CorruptionAt(trailer.footer_offset + got, "file shrank");
  if (Crc32c(footer) != trailer.footer_crc) {
    return r->CorruptionAt(trailer.footer_offset, "footer checksum mismatch");
  }
  uint64_t bad_offset;
  if (!DecodeFooter(footer, trailer.footer_offset, &m, &bad_offset, &why)) {
    return r->CorruptionAt(bad_offset, why);
  }
  m.file_bytes = size;
  r->shard_blocks_.resize(m.shards);
  for (uint32_t i = 0; i < m.blocks.size(); ++i) r->shard_blocks_[m.blocks[i].shard].push_back(i);
  return r;
}

FileReader::~FileReader() = default;

Status FileReader::CorruptionAt(uint64_t offset, const std::string& why) const {
  return Status::Corruption("snapshot corruption in " + path_ + " at offset " +
                            std::to_string(offset) + ": " + why);
}

Status FileReader::ReadBlock(const BlockRef& ref, Scratch* scratch, std::string_view* raw) const {
  // The index was validated at Open: stored_len and raw_len are within limits, so these buffers
  // are at most ~64 MiB each.
  char* in = scratch->in.Get(ref.stored_len);
  size_t got;
  RETURN_IF_ERROR(ReadFull(fd_.get(), in, ref.stored_len, ref.offset, path_, &got));
  if (got != ref.stored_len) return CorruptionAt(ref.offset + got, "file ends inside a block");
  BlockHeader h;
  std::string why;
  if (!DecodeBlock(std::string_view(in, ref.stored_len), &h, &why)) {
    return CorruptionAt(ref.offset, why);
  }
  if (h.shard != ref.shard || h.raw_len != ref.raw_len || h.entries != ref.entries) {
    return CorruptionAt(
        ref.offset, "block header (shard " + std::to_string(h.shard) + ", raw " +
                        std::to_string(h.raw_len) + ", entries " + std::to_string(h.entries) +
                        ") does not match the footer's index (shard " + std::to_string(ref.shard) +
                        ", raw " + std::to_string(ref.raw_len) + ", entries " +
                        std::to_string(ref.entries) + ")");
  }
  if (scratch->dctx == nullptr) return Status::IOError("ZSTD_createDCtx failed: out of memory");
  const char* frame = in + kBlockHeaderSize;
  const uint64_t frame_offset = ref.offset + kBlockHeaderSize;
  const size_t frame_size = ZSTD_findFrameCompressedSize(frame, h.frame_len);
  if (ZSTD_isError(frame_size) || frame_size != h.frame_len) {
    return CorruptionAt(frame_offset, "the block does not hold exactly one zstd frame");
  }
  char* out = scratch->out.Get(h.raw_len);
  const size_t n = ZSTD_decompressDCtx(scratch->dctx.get(), out, h.raw_len, frame, h.frame_len);
  if (ZSTD_isError(n)) {
    return CorruptionAt(frame_offset, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  if (n != h.raw_len) {
    return CorruptionAt(frame_offset, "block decompressed to " + std::to_string(n) +
                                          " bytes, its header says " + std::to_string(h.raw_len));
  }
  *raw = std::string_view(out, n);
  return Status::Ok();
}

Status FileReader::ReadShard(
    uint32_t shard, const std::function<Status(std::string_view raw, uint32_t entries)>& fn) const {
  if (shard >= meta_.shards) {
    return Status::InvalidArgument("shard " + std::to_string(shard) + " of " +
                                   std::to_string(meta_.shards) + " in " + path_);
  }
  Scratch scratch;
  for (uint32_t i : shard_blocks_[shard]) {
    const BlockRef& ref = meta_.blocks[i];
    std::string_view raw;
    RETURN_IF_ERROR(ReadBlock(ref, &scratch, &raw));
    RETURN_IF_ERROR(fn(raw, ref.entries));
  }
  return Status::Ok();
}

Status FileReader::Verify(const std::function<void(const BlockRef&)>& progress) const {
  Scratch scratch;
  for (const BlockRef& ref : meta_.blocks) {
    std::string_view raw;
    RETURN_IF_ERROR(ReadBlock(ref, &scratch, &raw));
    if (progress) progress(ref);
  }
  return Status::Ok();
}

Status FileReader::ScanBlocks(const std::function<Status(const BlockRef& ref, const Status& status,
                                                         std::string_view raw)>& fn) const {
  Scratch scratch;
  for (const BlockRef& ref : meta_.blocks) {
    std::string_view raw;
    const Status st = ReadBlock(ref, &scratch, &raw);
    RETURN_IF_ERROR(fn(ref, st, st.ok() ? raw : std::string_view()));
  }
  return Status::Ok();
}

}  // namespace strata::snapshot
