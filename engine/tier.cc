#include "engine/tier.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>

#include "base/clock.h"
#include "base/latency_events.h"
#include "base/logging.h"
#include "engine/entry.h"
#include "engine/value.h"

namespace strata::engine {
namespace {

void PutId(char* out, uint64_t id) {
  for (int i = 7; i >= 0; --i, id >>= 8) out[i] = static_cast<char>(id & 0xff);
}

uint64_t GetId(const rocksdb::Slice& s) {
  uint64_t id = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) id = (id << 8) | static_cast<uint8_t>(s[i]);
  return id;
}

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  if (s.IsCorruption()) return Status::Corruption("tier: " + s.ToString());
  return Status::IOError("tier: " + s.ToString());
}

}  // namespace

void TierStats::NoteColdRead(int64_t start_us) {
  const uint64_t us = static_cast<uint64_t>(std::max<int64_t>(0, MonotonicUs() - start_us));
  cold_reads.fetch_add(1, std::memory_order_relaxed);
  cold_read_us.fetch_add(us, std::memory_order_relaxed);
  ReportLatency("tier-read", static_cast<int64_t>(us));
  cold_read_latency_us.Add(us);
  uint64_t max = cold_read_max_us.load(std::memory_order_relaxed);
  while (us > max && !cold_read_max_us.compare_exchange_weak(max, us)) {
  }
}

Result<std::unique_ptr<Tier>> Tier::Open(const TierOptions& options) {
  std::unique_ptr<Tier> t(new Tier(options));
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::IOError("can't create tier dir " + options.dir + ": " + ec.message());

  rocksdb::Options o;
  o.create_if_missing = true;
  // Small memtables: they count against the process's memory, on top of maxmemory.
  o.write_buffer_size = 8 << 20;
  o.max_write_buffer_number = 2;
  o.max_background_jobs = 2;
  o.max_open_files = 256;
  // LZ4 at every level: zstd at the bottom level took a core of compaction on 2 cores while a
  // freshly demoted gigabyte settled, and cold reads waited behind it.
  o.compression = rocksdb::kLZ4Compression;
  o.level_compaction_dynamic_level_bytes = true;
  o.info_log_level = rocksdb::WARN_LEVEL;
  o.keep_log_file_num = 2;
  // Ids only grow: a level's files never overlap much, and deleted values come back as disk
  // space quickly when files dense with deletions are compacted first.
  o.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/128,
                                                    /*deletion_trigger=*/32));
  rocksdb::BlockBasedTableOptions table;
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the block cache, so the cache bounds them too.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  t->cache_ = cache;

  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, options.dir, &db);
  if (!s.ok()) return Status::IOError("can't open tier " + options.dir + ": " + s.ToString());
  t->db_.reset(db);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  it->SeekToLast();
  if (it->Valid()) t->next_id_ = GetId(it->key()) + 1;
  for (int i = 0; i < std::max(1, options.reader_threads); ++i) {
    t->readers_.emplace_back([p = t.get()] { p->ReaderLoop(); });
  }
  return t;
}

Tier::Tier(const TierOptions& options) : options_(options) {}

Tier::~Tier() {
  StopReaders();
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

void Tier::StopReaders() {
  {
    std::lock_guard<std::mutex> l(jobs_mu_);
    stopping_ = true;
  }
  jobs_cv_.notify_all();
  for (std::thread& r : readers_) r.join();
  readers_.clear();
}

Status Tier::Put(const std::vector<std::pair<uint64_t, std::string>>& values) {
  rocksdb::WriteBatch batch;
  char key[8];
  for (const auto& [id, blob] : values) {
    PutId(key, id);
    batch.Put(rocksdb::Slice(key, 8), blob);
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch));
}

Status Tier::Get(uint64_t id, std::string* blob) {
  char key[8];
  PutId(key, id);
  return FromRocks(db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key, 8), blob));
}

bool Tier::GetCached(uint64_t id, std::string* blob) {
  char key[8];
  PutId(key, id);
  rocksdb::ReadOptions o;
  o.read_tier = rocksdb::kBlockCacheTier;
  return db_->Get(o, rocksdb::Slice(key, 8), blob).ok();
}

Status Tier::Sync() { return FromRocks(db_->SyncWAL()); }

void Tier::DeleteNow(std::vector<uint64_t> ids) {
  if (ids.empty()) return;
  rocksdb::WriteBatch batch;
  char key[8];
  for (uint64_t id : ids) {
    PutId(key, id);
    batch.Delete(rocksdb::Slice(key, 8));
  }
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) {
    LOG_WARN("tier: deleting %zu values failed: %s", ids.size(), s.ToString().c_str());
    return;
  }
  stats_.deleted.fetch_add(ids.size(), std::memory_order_relaxed);
}

void Tier::Discard(uint64_t id) {
  std::lock_guard<std::mutex> l(gc_mu_);
  discarded_.push_back(id);
}

uint64_t Tier::Seal() {
  std::lock_guard<std::mutex> l(gc_mu_);
  const uint64_t gen = next_generation_++;
  sealed_[gen] = std::move(discarded_);
  discarded_.clear();
  return gen;
}

void Tier::Released(uint64_t generation) {
  std::vector<uint64_t> ids;
  {
    std::lock_guard<std::mutex> l(gc_mu_);
    // Values discarded before the previous durable snapshot's moment: neither that snapshot
    // nor this one names them.
    for (auto it = sealed_.begin(); it != sealed_.end() && it->first <= last_released_;) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      it = sealed_.erase(it);
    }
    last_released_ = std::max(last_released_, generation);
  }
  if (ids.size() >= kCompactAfterDeletes && !compacting_.exchange(true)) {
    // Many values gone at once (a batch of expiries, a FLUSHALL): flush the deletions to disk
    // and compact the ids they span, so the disk space comes back now rather than whenever
    // compaction gets there.
    const auto [lo, hi] = std::minmax_element(ids.begin(), ids.end());
    Submit([this, lo = *lo, hi = *hi + 1] {
      char begin[8], end[8];
      PutId(begin, lo);
      PutId(end, hi);
      rocksdb::Slice b(begin, 8), e(end, 8);
      rocksdb::Status s = db_->Flush(rocksdb::FlushOptions());
      if (s.ok()) s = db_->CompactRange(rocksdb::CompactRangeOptions(), &b, &e);
      if (!s.ok()) LOG_WARN("tier: compaction after deletes failed: %s", s.ToString().c_str());
      compacting_.store(false);
    });
  }
  DeleteNow(std::move(ids));
}

void Tier::NoteReferenced(uint64_t id) {
  std::lock_guard<std::mutex> l(gc_mu_);
  referenced_.push_back(id);
}

Result<uint64_t> Tier::DeleteUnreferenced() {
  std::vector<uint64_t> keep;
  {
    std::lock_guard<std::mutex> l(gc_mu_);
    keep.swap(referenced_);
  }
  std::sort(keep.begin(), keep.end());
  uint64_t deleted = 0;
  std::vector<uint64_t> batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t id = GetId(it->key());
    if (std::binary_search(keep.begin(), keep.end(), id)) continue;
    batch.push_back(id);
    if (batch.size() == 1024) {
      deleted += batch.size();
      DeleteNow(std::move(batch));
      batch.clear();
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  deleted += batch.size();
  DeleteNow(std::move(batch));
  return deleted;
}

void Tier::Submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> l(jobs_mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  jobs_cv_.notify_one();
}

bool Tier::MarkReading(uint64_t id) {
  std::lock_guard<std::mutex> l(reading_mu_);
  return reading_.insert(id).second;
}

void Tier::DoneReading(uint64_t id) {
  std::lock_guard<std::mutex> l(reading_mu_);
  reading_.erase(id);
}

void Tier::ReaderLoop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> l(jobs_mu_);
      jobs_cv_.wait(l, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

uint64_t Tier::DiskBytes() const {
  uint64_t sst = 0, memtables = 0;
  db_->GetIntProperty("rocksdb.total-sst-files-size", &sst);
  db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  return sst + memtables;
}

uint64_t Tier::BlockCacheUsage() const {
  return static_cast<rocksdb::Cache*>(cache_.get())->GetUsage();
}

std::string EncodeTierValue(const Entry& e) {
  std::string out(1, static_cast<char>(e.type()));
  if (e.type() == ValueType::kString) {
    out.append(e.str());
  } else {
    e.value()->Serialize(&out);
  }
  return out;
}

Entry* DecodeTierValue(const Entry& stub, std::string_view blob, const EncodingLimits& limits) {
  if (blob.empty() || static_cast<uint8_t>(blob[0]) != static_cast<uint8_t>(stub.type())) {
    return nullptr;
  }
  blob.remove_prefix(1);
  if (stub.type() == ValueType::kString) {
    return Entry::NewString(stub.key(), blob, stub.expire_ms(), stub.raw(), stub.access_clock(),
                            stub.tier_id());
  }
  std::unique_ptr<Value> v;
  if (!ParseValue(stub.type(), blob, limits, &v).ok()) return nullptr;
  return Entry::NewObject(stub.key(), v.release(), stub.expire_ms(), stub.access_clock(),
                          stub.tier_id());
}

}  // namespace strata::engine
