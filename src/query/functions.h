// Scalar functions: string (CONCAT, SUBSTRING, UPPER, TRIM, REPLACE, ...),
// math (ABS, ROUND, FLOOR, CEIL, POWER, SQRT, ...), date (YEAR, MONTH,
// DATE_ADD, DATEDIFF, DATE_FORMAT, ...) and control (IF, IFNULL, NULLIF,
// COALESCE, GREATEST, LEAST). The binder asks ResolveFunction for the result
// type and the types to cast the arguments to; evaluation then works on
// arguments of exactly those types.
//
// Errors (SqlException): ER_SP_DOES_NOT_EXIST for an unknown function,
// ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT for a wrong argument count.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "query/types.h"

namespace strata::query {

struct FunctionSignature {
  Type result;
  std::vector<Type> args;  // cast each argument to this type first
};

// `name` upper case. `constant_args` holds, per argument, whether it is a
// constant and its value (for ROUND's digits, DATE_ADD's unit).
FunctionSignature ResolveFunction(const std::string& name, const std::vector<Type>& arg_types,
                                  const std::vector<const Scalar*>& constant_args);

// Evaluates `name` row by row over `args` (typed as ResolveFunction said).
Column EvalFunction(const std::string& name, const Type& result, const std::vector<Column>& args, size_t rows);

// True for COUNT SUM MIN MAX AVG (and their aliases).
bool IsAggregateFunction(const std::string& name);

}  // namespace strata::query
