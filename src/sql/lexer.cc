// The SQL lexer (lexer.h).
#include "sql/lexer.h"

#include <cctype>

#include "sql/mysql_errors.h"

namespace strata::sql {

std::string ParseErrorMessage(std::string_view sql, size_t offset, int line) {
  constexpr size_t kNearMax = 80;
  std::string near(offset < sql.size() ? sql.substr(offset, kNearMax) : std::string_view());
  return "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version "
         "for the right syntax to use near '" + near + "' at line " + std::to_string(line);
}

void ThrowParseError(std::string_view sql, size_t offset, int line) {
  Fail(ER_PARSE_ERROR, ParseErrorMessage(sql, offset, line));
}

namespace {

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c == '$' || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpaceAndComments();
      if (out.size() >= kMaxTokens) ThrowParseError(sql_, pos_, line_);
      Token t{.offset = pos_, .line = line_};
      if (pos_ >= sql_.size()) {
        out.push_back(t);
        return out;
      }
      Next(t);
      t.end = pos_;
      out.push_back(std::move(t));
    }
  }

 private:
  char Peek(size_t ahead = 0) const { return pos_ + ahead < sql_.size() ? sql_[pos_ + ahead] : '\0'; }

  void Advance() {
    if (sql_[pos_] == '\n') ++line_;
    ++pos_;
  }

  void SkipSpaceAndComments() {
    while (pos_ < sql_.size()) {
      char c = Peek();
      if (std::isspace(static_cast<unsigned char>(c))) {
        Advance();
      } else if (c == '#' || (c == '-' && Peek(1) == '-' && (Peek(2) == '\0' || std::isspace(static_cast<unsigned char>(Peek(2)))))) {
        while (pos_ < sql_.size() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*') {
        size_t start = pos_;
        int line = line_;
        Advance();
        Advance();
        while (pos_ < sql_.size() && !(Peek() == '*' && Peek(1) == '/')) Advance();
        if (pos_ >= sql_.size()) ThrowParseError(sql_, start, line);
        Advance();
        Advance();
      } else {
        return;
      }
    }
  }

  void Next(Token& t) {
    auto c = static_cast<unsigned char>(Peek());
    if (c == '\'' || c == '"') return QuotedString(t, static_cast<char>(c), TokenKind::kString);
    if (c == '`') return QuotedString(t, '`', TokenKind::kQuotedIdent);
    if (std::isdigit(c) || (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) return Number(t);
    if (IsIdentStart(c)) {
      t.kind = TokenKind::kIdent;
      while (pos_ < sql_.size() && IsIdentChar(static_cast<unsigned char>(Peek()))) t.text.push_back(sql_[pos_++]);
      return;
    }
    Operator(t);
  }

  void Number(Token& t) {
    t.kind = TokenKind::kNumber;
    while (std::isdigit(static_cast<unsigned char>(Peek())) || Peek() == '.') t.text.push_back(sql_[pos_++]);
    if ((Peek() == 'e' || Peek() == 'E') &&
        (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
         ((Peek(1) == '+' || Peek(1) == '-') && std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
      t.text.push_back(sql_[pos_++]);
      t.text.push_back(sql_[pos_++]);
      while (std::isdigit(static_cast<unsigned char>(Peek()))) t.text.push_back(sql_[pos_++]);
    }
    // "1abc" is an identifier in MySQL; here it is a number followed by junk: reject.
    if (IsIdentChar(static_cast<unsigned char>(Peek()))) {
      t.kind = TokenKind::kIdent;
      while (pos_ < sql_.size() && IsIdentChar(static_cast<unsigned char>(Peek()))) t.text.push_back(sql_[pos_++]);
    }
  }

  static char Unescape(char c) {
    switch (c) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': return '\0';
      case 'b': return '\b';
      case 'Z': return '\x1A';
      default: return c;
    }
  }

  void QuotedString(Token& t, char quote, TokenKind kind) {
    t.kind = kind;
    Advance();
    while (true) {
      if (pos_ >= sql_.size()) ThrowParseError(sql_, t.offset, t.line);
      char c = Peek();
      if (c == quote) {
        Advance();
        if (Peek() == quote) {  // doubled quote
          t.text.push_back(quote);
          Advance();
          continue;
        }
        return;
      }
      if (c == '\\' && quote != '`' && pos_ + 1 < sql_.size()) {
        Advance();
        t.text.push_back(Unescape(Peek()));
        Advance();
        continue;
      }
      t.text.push_back(c);
      Advance();
    }
  }

  void Operator(Token& t) {
    t.kind = TokenKind::kOp;
    static constexpr std::string_view kTwo[] = {"<=>", "<=", ">=", "<>", "!=", "@@", ":=", "||", "&&", "<<", ">>"};
    for (auto op : kTwo) {
      if (sql_.substr(pos_, op.size()) == op) {
        t.text = std::string(op);
        pos_ += op.size();
        return;
      }
    }
    t.text = std::string(1, sql_[pos_]);
    Advance();
  }

  std::string_view sql_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view sql) { return Lexer(sql).Run(); }

}  // namespace strata::sql
