// information_schema.point_in_time_window: one row from the FE's window
// source (server/ wires it to snapshot::ReadRestorableHistory), queried as
// users do; without a source it says UNKNOWN.
#include "sql/sql_test_util.h"

namespace strata::sql {
namespace {

class PointInTimeWindowTest : public testing::SqlTest {
 protected:
  void Use(PointInTimeWindowSource source) {
    root_.reset();
    EngineOptions options;
    options.cluster_id = "c-1";
    options.point_in_time_window = std::move(source);
    engine_ = NewEngine(&cat_, &cat_, options);
    root_ = Connect("root", "%");
  }
};

TEST_F(PointInTimeWindowTest, ShowsTheWindowTheSourceReports) {
  int calls = 0;
  Use([&calls] {
    ++calls;
    // 2026-11-29 03:00:00.250 and 04:00:00.500 UTC
    return PointInTimeWindowInfo{.retention_seconds = 3600, .data_grace_seconds = 3600, .restorable = true,
                                 .oldest_version = 17, .oldest_time_ms = 1'795'921'200'250, .newest_version = 942,
                                 .newest_time_ms = 1'795'924'800'500, .oldest_base = "image 12"};
  });
  EXPECT_EQ(Rows("SELECT * FROM information_schema.point_in_time_window"),
            std::vector<std::string>{"c-1|3600|3600|ON|17|2026-11-29 03:00:00|1795921200250|942|2026-11-29 04:00:00|"
                                     "1795924800500|image 12|"});
  EXPECT_EQ(Rows("SELECT OLDEST_VERSION, NEWEST_VERSION FROM information_schema.POINT_IN_TIME_WINDOW "
                 "WHERE STATE = 'ON'"),
            std::vector<std::string>{"17|942"});
  EXPECT_EQ(calls, 2);  // read per query, never cached
  EXPECT_EQ(ColumnNames("SELECT * FROM information_schema.point_in_time_window").size(), 12u);
  EXPECT_EQ(Rows("SHOW TABLES FROM information_schema LIKE 'point%'"),
            std::vector<std::string>{"point_in_time_window"});
}

TEST_F(PointInTimeWindowTest, OffUnavailableAndUnknown) {
  Use([] {
    return PointInTimeWindowInfo{.retention_seconds = 0, .data_grace_seconds = 3600, .restorable = true,
                                 .oldest_version = 5, .newest_version = 9, .oldest_base = "empty catalog"};
  });
  EXPECT_EQ(Rows("SELECT STATE, OLDEST_VERSION, OLDEST_TIME, OLDEST_TIME_MS, NEWEST_VERSION, RESTORE_BASE "
                 "FROM information_schema.point_in_time_window"),
            std::vector<std::string>{"OFF|5|NULL|NULL|9|empty catalog"});
  Use([] {
    return PointInTimeWindowInfo{.retention_seconds = 60, .data_grace_seconds = 60, .restorable = false,
                                 .message = "Unavailable: store down"};
  });
  EXPECT_EQ(Rows("SELECT STATE, OLDEST_VERSION, NEWEST_VERSION, MESSAGE FROM information_schema.point_in_time_window"),
            std::vector<std::string>{"UNAVAILABLE|NULL|NULL|Unavailable: store down"});
  Use(nullptr);
  EXPECT_EQ(Rows("SELECT CLUSTER_ID, STATE FROM information_schema.point_in_time_window"),
            std::vector<std::string>{"c-1|UNKNOWN"});
}

}  // namespace
}  // namespace strata::sql
