#include "storage/data_file_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "storage/data_file_format.h"
#include "storage/storage_test_util.h"

namespace strata::storage {
namespace {

// The writer's fast statistics are ComputeStats' exactly, for every type,
// with NULLs, NaNs, -0.0/+0.0 ties and long strings.
TEST(DataFileWriterTest, PageStatsEqualComputeStats) {
  std::mt19937_64 rng(testing::TestSeed());
  for (const ColumnSchema& s : testing::AllTypesSchema(true)) {
    for (int round = 0; round < 20; ++round) {
      ColumnVector col(s.type);
      const size_t rows = rng() % 300;
      for (size_t r = 0; r < rows; ++r) {
        if (col.kind() == PhysicalKind::kDouble && rng() % 10 == 0) {
          const double special[] = {0.0, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e300};
          col.AppendDouble(special[rng() % (round % 2 == 0 ? 2 : 4)]);
        } else if (col.kind() == PhysicalKind::kBytes && rng() % 10 == 0) {
          col.AppendString(std::string(60 + rng() % 10, static_cast<char>('a' + rng() % 26)));
        } else {
          testing::AppendRandom(&col, rng, round % 3 == 0 ? 0 : 20);
        }
      }
      const size_t begin = rows == 0 ? 0 : rng() % rows;
      const size_t end = begin + (rows == begin ? 0 : rng() % (rows - begin + 1));
      EXPECT_EQ(PageStats(col, begin, end), ComputeStats(col, begin, end)) << s.name << " round " << round;
    }
  }
}

// A batch larger than a row group is written straight from the batch; the
// file is the same as one written through the pending rows.
TEST(DataFileWriterTest, WholeRowGroupsFromTheBatchMakeTheSameFile) {
  std::mt19937_64 rng(testing::TestSeed());
  std::vector<ColumnSchema> schema = testing::AllTypesSchema(true);
  std::vector<ColumnVector> batch;
  for (const ColumnSchema& s : schema) {
    ColumnVector col(s.type);
    for (int r = 0; r < 2500; ++r) testing::AppendRandom(&col, rng, 10);
    batch.push_back(std::move(col));
  }
  DataFileWriterOptions options{.row_group_rows_max = 1000, .page_rows_max = 300};
  auto whole = DataFileWriter::Create(schema, options);
  ASSERT_TRUE(whole.ok());
  ASSERT_TRUE((*whole)->Append(batch).ok());
  auto in_pieces = DataFileWriter::Create(schema, options);
  ASSERT_TRUE(in_pieces.ok());
  for (size_t begin = 0; begin < 2500; begin += 100) {  // pieces smaller than a row group: always pending
    std::vector<ColumnVector> piece;
    for (const ColumnVector& c : batch) {
      ColumnVector p(c.type());
      p.AppendRange(c, begin, begin + 100);
      piece.push_back(std::move(p));
    }
    ASSERT_TRUE((*in_pieces)->Append(piece).ok());
  }
  auto a = (*whole)->Finish();
  auto b = (*in_pieces)->Finish();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(*a == *b);
}

}  // namespace
}  // namespace strata::storage
