// Encodings and determinism: image and batch round trips, garbage input,
// randomized change sequences (seeded), JSON forms, secret masking, and the
// 100k-tablet image timing (printed, not asserted).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>

#include "common/coding.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/catalog_test_util.h"
#include "meta/catalog/change.h"
#include "meta/catalog/serde.h"

namespace strata::meta {
namespace {

using testing::C;
using testing::Driver;
using testing::MakeTable;
using testing::MakeVolume;
using testing::SampleChanges;

uint64_t Seed() {
  const char* env = std::getenv("STRATA_SEED");
  uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::cout << "seed " << seed << " (rerun with STRATA_SEED=" << seed << ")" << std::endl;
  return seed;
}

void ExpectSameIndexes(const CatalogState& a, const CatalogState& b) {
  EXPECT_EQ(a.database_ids, b.database_ids);
  EXPECT_EQ(a.tablets, b.tablets);
  for (const auto& [id, db] : a.databases) EXPECT_EQ(db.table_ids, b.databases.at(id).table_ids);
  for (const auto& [id, t] : a.tables) EXPECT_EQ(t.partition_ids, b.tables.at(id).partition_ids);
}

Catalog ApplySample() {
  Driver d;
  for (const auto& c : SampleChanges()) d.Ok(c.body);
  return d.cat;
}

void ExpectRoundTrip(const Catalog& cat) {
  std::string image = cat.EncodeImage();
  auto decoded = Catalog::DecodeImage(image);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->EncodeImage(), image);
  EXPECT_EQ(decoded->ToJson(), cat.ToJson());
  ExpectSameIndexes(decoded->state(), cat.state());
}

TEST(ImageTest, EmptyAndSampleRoundTrip) {
  ExpectRoundTrip(Catalog());
  Catalog cat = ApplySample();
  ExpectRoundTrip(cat);
  auto decoded = Catalog::DecodeImage(cat.EncodeImage());
  ASSERT_TRUE(decoded.ok());
  // Credentials and password hashes survive in the image: restore needs them.
  EXPECT_EQ(decoded->state().storage_volumes.at("sv1").credentials.at("aws.s3.secret_key").Reveal(), "TOPSECRETKEY");
  EXPECT_EQ(decoded->state().users.at(UserIdentity{.name = "alice"}).password_hash.Reveal(),
            MysqlNativePasswordHash("alice-pw"));
  EXPECT_EQ(decoded->version(), cat.version());
  EXPECT_EQ(decoded->leader(), "fe1:8030");
  EXPECT_EQ(decoded->term(), 1u);
}

TEST(ImageTest, TwoReplicasAreByteIdentical) {
  Catalog a = ApplySample();
  Catalog b = ApplySample();
  EXPECT_EQ(a.EncodeImage(), b.EncodeImage());
  // A replica that restarts from an image mid-way and replays the rest agrees too.
  auto changes = SampleChanges();
  Catalog c;
  uint64_t v = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i == changes.size() / 2) c = *Catalog::DecodeImage(c.EncodeImage());
    ++v;
    ASSERT_TRUE(c.Apply(changes[i], v, 1'700'000'000'000 + v).ok());
  }
  EXPECT_EQ(c.EncodeImage(), a.EncodeImage());
}

TEST(ImageTest, GarbageIsDataLoss) {
  std::mt19937_64 rng(Seed());
  std::string image = ApplySample().EncodeImage();
  for (size_t n = 0; n < image.size(); ++n) {
    auto r = Catalog::DecodeImage(std::string_view(image).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix " << n;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  EXPECT_EQ(Catalog::DecodeImage(image + "x").status().code(), StatusCode::kDataLoss);
  for (size_t i = 0; i < image.size(); ++i) {  // every byte flipped: no crash; errors are DataLoss
    std::string bad = image;
    bad[i] = static_cast<char>(bad[i] ^ (1 + rng() % 255));
    auto r = Catalog::DecodeImage(bad);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
    }
  }
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(rng() % 300, '\0');
    for (auto& ch : bytes) ch = static_cast<char>(rng());
    if (i % 2 == 0 && !bytes.empty()) bytes[0] = 3;  // get past the version check
    auto r = Catalog::DecodeImage(bytes);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    }
  }
  Encoder e;  // a count of 2^60 databases must fail fast, not allocate
  e.PutVarint(3);
  for (int i = 0; i < 4; ++i) e.PutVarint(0);
  e.PutVarint(uint64_t{1} << 60);
  EXPECT_EQ(Catalog::DecodeImage(e.data()).status().code(), StatusCode::kDataLoss);
  Encoder future;
  future.PutVarint(4);
  auto r = Catalog::DecodeImage(future.data());
  EXPECT_NE(r.status().message().find("unsupported format version 4"), std::string::npos) << r.status().ToString();
}

TEST(ImageTest, InconsistentStateIsDataLoss) {
  Catalog cat = ApplySample();
  auto expect_bad = [&](auto mutate, std::string_view needle) {
    CatalogState s = cat.state();
    mutate(s);
    Encoder e;
    e.PutVarint(3);
    serde::Put(e, s);
    auto r = Catalog::DecodeImage(e.data());
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  expect_bad([](CatalogState& s) { s.next_id = 10001; }, "outside [1, next_id");
  expect_bad([](CatalogState& s) { s.tables.begin()->second.db_id = 1; }, "in missing database");
  expect_bad([](CatalogState& s) { s.tables.begin()->second.id = 1; }, "holds id 1");
  expect_bad([](CatalogState& s) { s.partitions.begin()->second.tablet_ids.pop_back(); }, "tablet count");
  expect_bad([](CatalogState& s) { s.partitions.begin()->second.table_id = 5; }, "of missing table");
  expect_bad([](CatalogState& s) {
    auto it = s.partitions.begin();
    uint64_t dup = it->second.tablet_ids[0];
    (++it)->second.tablet_ids[0] = dup;
  }, "in two partitions");
  expect_bad([](CatalogState& s) { s.partitions.begin()->second.visible_version = 0; }, "versions");
  expect_bad([](CatalogState& s) { s.users.begin()->second.roles.insert("ghost"); }, "missing role ghost");
  expect_bad([](CatalogState& s) { s.default_storage_volume = "ghost"; }, "missing default storage volume");
  expect_bad([](CatalogState& s) { s.databases[10003] = Database{.id = 10003, .name = "db1"}; }, "duplicate database db1");
}

Batch SampleBatch() {
  return Batch{.writer_fe = "fe1:8030", .writer_term = 7, .nonce = 0xDEADBEEFCAFEF00Dull,
               .commit_time_ms = 1'700'000'000'123, .changes = SampleChanges()};
}

TEST(BatchTest, RoundTrip) {
  Batch batch = SampleBatch();
  batch.changes.push_back(Change{FenceLineage{.successor_cluster_id = "0123456789abcdef0123456789abcdef",
                                              .reason = "restore"}});
  std::string bytes = EncodeBatch(batch);
  auto decoded = DecodeBatch(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->writer_fe, batch.writer_fe);
  EXPECT_EQ(decoded->writer_term, 7u);
  EXPECT_EQ(decoded->nonce, batch.nonce);
  EXPECT_EQ(decoded->commit_time_ms, batch.commit_time_ms);
  ASSERT_EQ(decoded->changes.size(), batch.changes.size());
  for (size_t i = 0; i < batch.changes.size(); ++i) {
    EXPECT_EQ(decoded->changes[i].body.index(), batch.changes[i].body.index());
    EXPECT_EQ(ChangeToJson(decoded->changes[i]), ChangeToJson(batch.changes[i]));
  }
  EXPECT_EQ(EncodeBatch(*decoded), bytes);
  const auto& v = std::get<CreateStorageVolume>(decoded->changes[5].body);
  EXPECT_EQ(v.properties.at("aws.s3.secret_key"), "TOPSECRETKEY");  // the binary form keeps secrets
  EXPECT_TRUE(DecodeBatch(EncodeBatch(Batch{})).ok());
  // Every change type is in the sample.
  std::set<size_t> types;
  for (const auto& c : batch.changes) types.insert(c.body.index());
  EXPECT_EQ(types.size(), std::variant_size_v<ChangeBody>);
}

TEST(BatchTest, GarbageIsDataLoss) {
  std::mt19937_64 rng(Seed());
  std::string bytes = EncodeBatch(SampleBatch());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodeBatch(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix " << n;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  size_t applied = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ (1 + rng() % 255));
    auto r = DecodeBatch(bad);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
      continue;
    }
    // Damage that still decodes makes odd changes: Apply must take them calmly.
    Catalog cat;
    for (const auto& c : r->changes) (void)cat.Apply(c, 1, 0);
    ExpectRoundTrip(cat);
    ++applied;
  }
  std::cout << applied << " damaged batches still decoded and were applied" << std::endl;
  for (int i = 0; i < 3000; ++i) {
    std::string b(rng() % 200, '\0');
    for (auto& ch : b) ch = static_cast<char>(rng());
    if (i % 2 == 0 && !b.empty()) b[0] = 2;
    auto r = DecodeBatch(b);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    }
  }
  Encoder e;
  e.PutVarint(2);
  e.PutString("fe");
  e.PutVarint(1);
  e.PutFixed64(0);
  e.PutSignedVarint(0);
  e.PutVarint(uint64_t{1} << 60);
  EXPECT_EQ(DecodeBatch(e.data()).status().code(), StatusCode::kDataLoss);
  Encoder tag;
  tag.PutVarint(2);
  tag.PutString("fe");
  tag.PutVarint(1);
  tag.PutFixed64(0);
  tag.PutSignedVarint(0);
  tag.PutVarint(1);
  tag.PutVarint(999);
  tag.PutString("");
  auto r = DecodeBatch(tag.data());
  EXPECT_NE(r.status().message().find("unknown change type tag 999"), std::string::npos) << r.status().ToString();
}

// ---------------------------------------------------------------- random sequences
ChangeBody RandomChange(std::mt19937_64& rng, const CatalogState& s) {
  auto pick = [&](std::initializer_list<const char*> xs) { return std::string(*(xs.begin() + rng() % xs.size())); };
  auto db = [&] { return pick({"a", "b", "c"}); };
  auto table = [&] { return pick({"t", "u"}); };
  auto bound = [&] { return std::vector<std::string>{std::to_string(static_cast<int>(rng() % 7) * 50 - 100)}; };
  auto user = [&] { return UserIdentity{.name = pick({"u1", "u2", "root"}), .host = pick({"%", "h"})}; };
  switch (rng() % 24) {
    case 0: return LeaderChange{.fe_name = pick({"fe1", "fe2"}), .term = s.term + rng() % 3};
    case 1: return CreateDatabase{.name = db(), .if_not_exists = rng() % 2 == 0};
    case 2: return DropDatabase{.name = db(), .if_exists = rng() % 2 == 0};
    case 3:
    case 4: {
      CreateTable t = MakeTable(db(), table(), static_cast<int>(rng() % 4), 1 + rng() % 3);
      if (rng() % 3 == 0) t.partition_columns.clear(), t.partitions.clear();
      if (rng() % 5 == 0) t.partitions.push_back(t.partitions.empty() ? PartitionDef{.name = "z"} : t.partitions[0]);
      if (rng() % 4 == 0) t.storage_volume = pick({"sv", "nope"});
      return t;
    }
    case 5: return DropTable{.db = db(), .name = table(), .if_exists = rng() % 2 == 0};
    case 6:
    case 7:
      return AddPartition{.db = db(), .table = table(),
                          .partition = {.name = pick({"p0", "q", "r"}), .lower = bound(), .upper = bound()},
                          .if_not_exists = rng() % 2 == 0};
    case 8: return DropPartition{.db = db(), .table = table(), .name = pick({"p0", "p1", "q", "t"})};
    case 9: return TruncateTable{.db = db(), .table = table()};
    case 10: {
      uint64_t pid = s.partitions.empty() ? 1 : std::next(s.partitions.begin(), rng() % s.partitions.size())->first;
      uint64_t cur = s.partitions.contains(pid) ? s.partitions.at(pid).visible_version : 1;
      return CommitPartitionVersion{.partition_id = pid, .version = cur + rng() % 3};
    }
    case 11: return MakeVolume(pick({"sv", "sv2"}));
    case 12: return DropStorageVolume{.name = pick({"sv", "sv2"})};
    case 13: return SetDefaultStorageVolume{.name = pick({"sv", "sv2", "x"})};
    case 14: return CreateUser{.user = user(), .password_hash = Secret(MysqlNativePasswordHash(pick({"", "p"})))};
    case 15: return DropUser{.user = user()};
    case 16: return CreateRole{.name = pick({"r", "root"})};
    case 17: return DropRole{.name = pick({"r", "public"})};
    case 18:
      return Grant{.grantee = {.kind = static_cast<GranteeKind>(rng() % 2), .name = pick({"u1", "r"})},
                   .privileges = {pick({"SELECT", "ALTER"})},
                   .object = {.type = ObjectType::kTable, .name = db() + "." + table()}};
    case 19:
      return Revoke{.grantee = {.kind = static_cast<GranteeKind>(rng() % 2), .name = pick({"u1", "r"})},
                    .privileges = {"SELECT"},
                    .object = {.type = ObjectType::kTable, .name = db() + "." + table()}};
    case 20: return AddComputeNode{.host = pick({"cn1", "cn2"}), .heartbeat_port = 9050};
    case 21: return DropComputeNode{.host = pick({"cn1", "cn2"}), .heartbeat_port = 9050};
    case 22:
      return SetAutomatedSnapshot{.action = static_cast<SnapshotAction>(rng() % 3), .interval_seconds = rng() % 2,
                                  .storage_volume = pick({"", "sv"})};
    default:
      return UpsertSnapshotJob{.job = {.name = pick({"s1", "s2"}), .job_id = rng() % 2 ? 0 : 10000 + rng() % 40,
                                       .state = pick({"INITIALIZING", "FINISHED", "ERROR", "bogus"})}};
  }
}

TEST(RandomSequenceTest, DeterministicAndRejectionsChangeNothing) {
  uint64_t seed = Seed();
  size_t accepted = 0, rejected = 0;
  for (int round = 0; round < 20; ++round) {
    std::mt19937_64 rng(seed + round);
    Driver a;
    Catalog b;
    for (uint64_t v = 1; v <= 300; ++v) {
      Change c = C(RandomChange(rng, a.cat.state()));
      Catalog before = a.cat;
      before.SetVersion(v);
      a.v = v - 1;
      auto ra = a.Do(c.body);
      auto rb = b.Apply(c, v, 1'700'000'000'000 + v);
      ASSERT_EQ(ra.ok(), rb.ok()) << DescribeChange(c);
      ++(ra.ok() ? accepted : rejected);
      if (ra.ok()) {
        EXPECT_EQ(*ra, *rb);
      } else {
        EXPECT_EQ(ra.status(), rb.status());
        ASSERT_EQ(before.EncodeImage(), a.cat.EncodeImage()) << "rejected " << DescribeChange(c) << " changed state";
      }
      if (v % 50 == 0) ExpectRoundTrip(a.cat);
    }
    ASSERT_EQ(a.cat.EncodeImage(), b.EncodeImage()) << "round " << round;
  }
  std::cout << accepted << " changes accepted, " << rejected << " rejected" << std::endl;
  EXPECT_GT(accepted, 1000u);
  EXPECT_GT(rejected, 1000u);
}

// ---------------------------------------------------------------- JSON
TEST(JsonTest, ParsesSnakeCaseTypes) {
  auto c = ChangeFromJson(R"({"type":"create_database","name":"db1"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(std::get<CreateDatabase>(c->body).name, "db1");
  EXPECT_EQ(DescribeChange(*c), "create_database db1");
  auto t = ChangeFromJson(R"({"type":"create_table","db":"d","name":"t","key_type":"primary",
      "columns":[{"name":"id","type":"BIGINT","nullable":false,"is_key":true},{"name":"v","type":"STRING","default_value":"x","comment":"c"}],
      "distribution_columns":["id"],"bucket_count":8,"partitions":[],"properties":{"a":"b"}})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const auto& ct = std::get<CreateTable>(t->body);
  EXPECT_EQ(ct.key_type, KeyType::kPrimary);
  EXPECT_EQ(ct.columns[1].default_value, "x");
  EXPECT_EQ(ct.columns[1].comment, "c");
  EXPECT_EQ(ct.columns[0].comment, "");
  EXPECT_EQ(ct.bucket_count, 8u);
  EXPECT_EQ(ct.properties.at("a"), "b");
}

TEST(JsonTest, RoundTripsEveryChange) {
  for (const auto& c : SampleChanges()) {
    std::string j = ChangeToJson(c);
    auto back = ChangeFromJson(j);
    ASSERT_TRUE(back.ok()) << j << ": " << back.status().ToString();
    if (j.find("***") == std::string::npos) {
      EXPECT_EQ(ChangeToJson(*back), j);
      EXPECT_EQ(EncodeBatch(Batch{.changes = {*back}}), EncodeBatch(Batch{.changes = {c}})) << j;
    } else {  // masked secrets come back as "***" (and move to credentials): stable from then on
      std::string again = ChangeToJson(*back);
      auto third = ChangeFromJson(again);
      ASSERT_TRUE(third.ok());
      EXPECT_EQ(ChangeToJson(*third), again);
    }
  }
}

// "type" is the change's tag in JSON, so no change struct may have a field of that name.
template <size_t... I>
void ExpectNoTypeField(std::index_sequence<I...>) {
  auto check = [](auto change) {
    decltype(change)::Visit(change, [&](std::string_view name, auto&) {
      EXPECT_NE(name, "type") << kChangeTypeNames[ChangeBody(change).index()];
    });
  };
  (check(std::variant_alternative_t<I, ChangeBody>{}), ...);
}
TEST(JsonTest, NoChangeHasATypeField) {
  ExpectNoTypeField(std::make_index_sequence<std::variant_size_v<ChangeBody>>());
}

TEST(JsonTest, ErrorsNameTheField) {
  auto expect = [](std::string_view json, std::string_view needle) {
    auto r = ChangeFromJson(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  expect("{", "not valid JSON");
  expect("[1]", "not a JSON object");
  expect(R"({"name":"x"})", "field type");
  expect(R"({"type":"create_everything"})", "unknown change type 'create_everything'");
  expect(R"({"type":"create_database","name":7})", "field name: expected a string");
  expect(R"({"type":"create_database","nmae":"x"})", "unknown field nmae");
  expect(R"({"type":"create_table","columns":[{"name":"a","nullable":"yes"}]})",
         "field columns[0].nullable: expected a boolean");
  expect(R"({"type":"create_table","key_type":"UNIQUE"})", "field key_type: expected one of DUPLICATE PRIMARY");
  expect(R"({"type":"create_table","bucket_count":-1})", "field bucket_count");
  expect(R"({"type":"create_table","bucket_count":4294967296})", "field bucket_count");
  expect(R"({"type":"leader_change","term":1.5})", "field term");
  expect(R"({"type":"create_table","properties":{"a":1}})", "field properties.a: expected a string");
  expect(R"({"type":"upsert_snapshot_job","job":{"created_ms":"now"}})", "field job.created_ms");
  expect(R"({"type":"grant","object":{"type":"PLANET"}})", "field object.type");
}

// ---------------------------------------------------------------- secrets
TEST(SecretTest, NeverPrinted) {
  const std::vector<std::string> secrets = {"TOPSECRETKEY", "AKIDSECRETACCESS",
                                            MysqlNativePasswordHash("alice-pw").substr(1)};
  auto expect_clean = [&](const std::string& text) {
    for (const auto& s : secrets) EXPECT_EQ(text.find(s), std::string::npos) << text;
  };
  for (const auto& c : SampleChanges()) {
    expect_clean(ChangeToJson(c));
    expect_clean(DescribeChange(c));
  }
  std::string volume_json = ChangeToJson(C(MakeVolume("sv")));
  EXPECT_NE(volume_json.find(R"("aws.s3.secret_key":"***")"), std::string::npos) << volume_json;
  Catalog cat = ApplySample();
  std::string dump = cat.ToJson();
  expect_clean(dump);
  EXPECT_NE(dump.find("\"***\""), std::string::npos);
  EXPECT_NE(dump.find("us-east-1"), std::string::npos);  // non-secret properties are shown
  // A credential in JSON properties becomes a Secret.
  auto v = ChangeFromJson(
      R"({"type":"create_storage_volume","name":"x","locations":["s3://b"],"properties":{"aws.s3.secret_key":"S","aws.s3.region":"r"}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const auto& cv = std::get<CreateStorageVolume>(v->body);
  EXPECT_FALSE(cv.properties.contains("aws.s3.secret_key"));
  EXPECT_EQ(cv.credentials.at("aws.s3.secret_key").Reveal(), "S");
  Change cfg = C(SetFrontendConfig{.key = "aws_s3_secret_key", .value = "hush"});
  EXPECT_EQ(ChangeToJson(cfg).find("hush"), std::string::npos);
  EXPECT_EQ(DescribeChange(cfg).find("hush"), std::string::npos);
}

TEST(SecretTest, MysqlNativePasswordHash) {
  EXPECT_EQ(MysqlNativePasswordHash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  EXPECT_EQ(MysqlNativePasswordHash(""), "");
  EXPECT_TRUE(IsCredentialKey("aws.s3.access_key"));
  EXPECT_TRUE(IsCredentialKey("AWS.S3.SECRET_KEY"));
  EXPECT_FALSE(IsCredentialKey("aws.s3.region"));
}

// ---------------------------------------------------------------- scale
TEST(ScaleTest, HundredThousandTabletsImageTiming) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  Driver d;
  d.Ok(CreateDatabase{.name = "db"});
  auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) d.Ok(MakeTable("db", "t" + std::to_string(i), 100, 100));
  auto t1 = Clock::now();
  ASSERT_EQ(d.cat.state().tablets.size(), 100'000u);
  std::string image = d.cat.EncodeImage();
  auto t2 = Clock::now();
  auto decoded = Catalog::DecodeImage(image);
  auto t3 = Clock::now();
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->state().tablets.size(), 100'000u);
  EXPECT_EQ(decoded->EncodeImage(), image);
  std::cout << "100k tablets (10 tables x 100 partitions x 100 buckets): apply " << ms(t1 - t0) << " ms, image "
            << image.size() << " bytes, encode " << ms(t2 - t1) << " ms, decode " << ms(t3 - t2)
            << " ms, encode+decode " << ms(t3 - t1) << " ms" << std::endl;
}

}  // namespace
}  // namespace strata::meta
