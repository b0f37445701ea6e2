// strata-driver-go: the guide's DDL through Go's database/sql and
// github.com/go-sql-driver/mysql against a running FE, with server-side
// prepared statements (interpolateParams=false: every query with arguments is
// COM_STMT_PREPARE + COM_STMT_EXECUTE, results in the binary protocol).
//
//	strata-driver-go -port QUERY_PORT -guide test/drivers/guide_ddl.sql -insert test/drivers/guide_insert.sql
//
// Prints one line per check and "N passed, M failed" last; exit 0 when all passed.
// Every network wait is bounded (DSN timeouts, a context deadline per call).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

const callTimeout = 30 * time.Second

var passed, failed int

func check(ok bool, name string, format string, args ...any) {
	if ok {
		passed++
		fmt.Printf("ok   %s\n", name)
		return
	}
	failed++
	fmt.Printf("FAIL %s: %s\n", name, fmt.Sprintf(format, args...))
}

func ctx() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), callTimeout) }

// statements splits a SQL file into statements at lines ending with ';',
// keeping comment lines with the statement that follows them (as pasted).
func statements(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Printf("FAIL read %s: %v\n0 passed, 1 failed\n", path, err)
		os.Exit(1)
	}
	var out []string
	var cur []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" && len(cur) == 0 {
			continue
		}
		cur = append(cur, line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	return out
}

func errno(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// queryStrings runs a text-protocol query and returns its column names and rows as strings.
func queryStrings(conn *sql.Conn, q string, args ...any) ([]string, [][]string, error) {
	c, cancel := ctx()
	defer cancel()
	rows, err := conn.QueryContext(c, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = v.String
			} else {
				row[i] = "NULL"
			}
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

func runGuide(conn *sql.Conn, guide string) {
	for i, stmt := range statements(guide) {
		name := fmt.Sprintf("guide statement %d (%s)", i+1, strings.SplitN(strings.TrimSpace(stmt), "\n", 2)[0])
		if strings.Contains(strings.ToUpper(stmt), "SELECT * FROM INFORMATION_SCHEMA.") {
			cols, rows, err := queryStrings(conn, stmt)
			check(err == nil && len(cols) > 0 && cols[0] == "SNAPSHOT_NAME", name, "cols %v rows %v err %v", cols, rows, err)
			continue
		}
		c, cancel := ctx()
		_, err := conn.ExecContext(c, stmt)
		cancel()
		check(err == nil, name, "%v", err)
	}
}

func checkCatalog(conn *sql.Conn) {
	_, rows, err := queryStrings(conn, "SHOW TABLES")
	check(err == nil && len(rows) == 1 && rows[0][0] == "source_wiki_edit", "SHOW TABLES", "%v %v", rows, err)
	_, rows, err = queryStrings(conn, "SELECT DATABASE()")
	check(err == nil && len(rows) == 1 && rows[0][0] == "quickstart", "SELECT DATABASE()", "%v %v", rows, err)
	_, rows, err = queryStrings(conn, "SHOW PARTITIONS FROM source_wiki_edit")
	check(err == nil && len(rows) == 4 && rows[3][1] == "p24", "SHOW PARTITIONS", "%v %v", rows, err)
	_, rows, err = queryStrings(conn, "SHOW CREATE TABLE quickstart.source_wiki_edit")
	check(err == nil && len(rows) == 1 && strings.Contains(rows[0][1], "DISTRIBUTED BY HASH(`user`)"),
		"SHOW CREATE TABLE", "%v %v", rows, err)
}

// checkPrepared: server-side prepared statements with typed scans (binary protocol).
func checkPrepared(conn *sql.Conn) {
	c, cancel := ctx()
	defer cancel()
	stmt, err := conn.PrepareContext(c, "SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH "+
		"FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ORDINAL_POSITION")
	check(err == nil, "prepare columns query", "%v", err)
	if err != nil {
		return
	}
	defer stmt.Close()
	type col struct {
		name   string
		pos    int64
		dtype  string
		maxLen sql.NullInt64
	}
	scan := func(db, table string) ([]col, error) {
		rows, err := stmt.QueryContext(c, db, table)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []col
		for rows.Next() {
			var x col
			if err := rows.Scan(&x.name, &x.pos, &x.dtype, &x.maxLen); err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, rows.Err()
	}
	cols, err := scan("quickstart", "source_wiki_edit")
	check(err == nil && len(cols) == 11, "prepared execute: 11 columns", "%v %v", cols, err)
	if len(cols) == 11 {
		check(cols[0] == col{"event_time", 1, "datetime", sql.NullInt64{}}, "prepared row 1", "%+v", cols[0])
		check(cols[1] == col{"channel", 2, "varchar", sql.NullInt64{Int64: 32, Valid: true}}, "prepared row 2", "%+v", cols[1])
		check(cols[10] == col{"deleted", 11, "int", sql.NullInt64{}}, "prepared row 11", "%+v", cols[10])
	}
	// The same statement again with other arguments.
	cols, err = scan("quickstart", "no_such_table")
	check(err == nil && len(cols) == 0, "prepared re-execute with other arguments", "%v %v", cols, err)
	cols, err = scan("quickstart", "source_wiki_edit")
	check(err == nil && len(cols) == 11, "prepared third execute", "%d %v", len(cols), err)

	// An integer argument.
	var n int64
	err = conn.QueryRowContext(c, "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = ? AND ORDINAL_POSITION > ?",
		"source_wiki_edit", 8).Scan(&n)
	check(err == nil && n == 3, "prepared COUNT(*) with an integer argument", "n=%d err=%v", n, err)
	var schema string
	err = conn.QueryRowContext(c, "SELECT SCHEMA_NAME FROM information_schema.schemata WHERE SCHEMA_NAME = ?", "quickstart").Scan(&schema)
	check(err == nil && schema == "quickstart", "prepared schemata lookup", "%q %v", schema, err)

	// Errors through the prepared-statement path carry the MySQL error number.
	_, err = conn.QueryContext(c, "SELECT no_such_column FROM information_schema.tables WHERE table_schema = ?", "quickstart")
	check(errno(err) == 1054, "prepared unknown column: 1054", "%v", err)
	_, err = conn.ExecContext(c, "CREATE DATABASE quickstart")
	check(errno(err) == 1007, "CREATE DATABASE quickstart again: 1007", "%v", err)
}

func main() {
	port := flag.Int("port", 0, "the FE's query_port")
	guide := flag.String("guide", "", "the guide's DDL (guide_ddl.sql)")
	insert := flag.String("insert", "", "the guide's INSERT (guide_insert.sql)")
	flag.Parse()
	if *port == 0 || *guide == "" || *insert == "" {
		fmt.Println("usage: strata-driver-go -port N -guide guide_ddl.sql -insert guide_insert.sql")
		os.Exit(2)
	}
	dsn := fmt.Sprintf("root@tcp(127.0.0.1:%d)/?interpolateParams=false&timeout=10s&readTimeout=30s&writeTimeout=30s", *port)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		fmt.Printf("FAIL open: %v\n0 passed, 1 failed\n", err)
		os.Exit(1)
	}
	defer db.Close()
	c, cancel := ctx()
	conn, err := db.Conn(c) // one session: USE quickstart must hold for what follows
	cancel()
	if err != nil {
		fmt.Printf("FAIL connect: %v\n0 passed, 1 failed\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	c, cancel = ctx()
	check(conn.PingContext(c) == nil, "COM_PING", "ping failed")
	cancel()

	runGuide(conn, *guide)
	checkCatalog(conn)
	checkPrepared(conn)
	for _, stmt := range statements(*insert) {
		c, cancel := ctx()
		res, err := conn.ExecContext(c, stmt)
		cancel()
		check(err == nil, "guide INSERT loads", "%v", err)
		if err == nil {
			n, _ := res.RowsAffected()
			check(n == 3, "guide INSERT: 3 rows affected", "%d", n)
		}
	}
	{
		c, cancel := ctx()
		var n int
		err := conn.QueryRowContext(c, "SELECT COUNT(*) FROM source_wiki_edit").Scan(&n)
		cancel()
		check(err == nil && n == 3, "guide INSERT: 3 rows visible", "%d %v", n, err)
	}
	// Clean up what the guide made (cluster-wide snapshot setting included).
	for _, stmt := range []string{"ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF", "DROP DATABASE quickstart FORCE"} {
		c, cancel := ctx()
		_, err := conn.ExecContext(c, stmt)
		cancel()
		check(err == nil, stmt, "%v", err)
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
