#include "stark/fri/params.hpp"

#include <array>
#include <cmath>
#include <string>

#include "stark/challenger/challenger.hpp"
#include "stark/util/error.hpp"

namespace stark {

static_assert(FriParameters::kMaxPowBits == Challenger::kMaxBits, "PoW bound must match the challenger");

namespace {

// The range of every field, in declaration order: the one table validate() and
// from_integers() check against.
struct FieldRange {
  const char* name;
  uint32_t FriParameters::* field;
  uint32_t lo;
  uint32_t hi;
};
constexpr std::array<FieldRange, 5> kFieldRanges = {{
    {"log_blowup", &FriParameters::log_blowup, 1, FriParameters::kMaxLogBlowup},
    {"log_final_poly_len", &FriParameters::log_final_poly_len, 0, FriParameters::kMaxLogDomain},
    {"num_queries", &FriParameters::num_queries, 1, FriParameters::kMaxNumQueries},
    {"commit_proof_of_work_bits", &FriParameters::commit_proof_of_work_bits, 0, FriParameters::kMaxPowBits},
    {"query_proof_of_work_bits", &FriParameters::query_proof_of_work_bits, 0, FriParameters::kMaxPowBits},
}};

void check_range(const FieldRange& r, int64_t v) {
  if (v < int64_t(r.lo) || v > int64_t(r.hi)) {
    throw InputError(std::string("FriParameters.") + r.name + ": " + std::to_string(v) + " is outside [" +
                     std::to_string(r.lo) + ", " + std::to_string(r.hi) + "]");
  }
}

// openvm v1.4.0 standard_fri_params_with_100_bits_security: log_blowup 1..4 → (queries, commit
// PoW, query PoW).
struct StandardSet {
  uint32_t num_queries, commit_pow, query_pow;
};
constexpr std::array<StandardSet, 4> kStandard100Bits = {
    {{193, 20, 20}, {118, 16, 20}, {97, 16, 20}, {88, 16, 20}}};

}  // namespace

FriParameters FriParameters::from_integers(int64_t log_blowup, int64_t log_final_poly_len,
                                           int64_t num_queries, int64_t commit_proof_of_work_bits,
                                           int64_t query_proof_of_work_bits) {
  const std::array<int64_t, 5> values = {log_blowup, log_final_poly_len, num_queries,
                                         commit_proof_of_work_bits, query_proof_of_work_bits};
  FriParameters p;
  for (size_t i = 0; i < kFieldRanges.size(); ++i) {
    check_range(kFieldRanges[i], values[i]);
    p.*kFieldRanges[i].field = uint32_t(values[i]);
  }
  p.validate();
  return p;
}

FriParameters FriParameters::standard_fast() { return standard_with_100_bits_security(1); }

FriParameters FriParameters::standard_with_100_bits_security(int64_t log_blowup) {
  if (log_blowup < 1 || log_blowup > int64_t(kStandard100Bits.size())) {
    throw InputError("standard_with_100_bits_security: log_blowup must be 1, 2, 3 or 4, got " +
                     std::to_string(log_blowup));
  }
  const StandardSet& s = kStandard100Bits[size_t(log_blowup - 1)];
  return FriParameters{uint32_t(log_blowup), 0, s.num_queries, s.commit_pow, s.query_pow};
}

uint32_t FriParameters::security_bits() const {
  const double rho = std::ldexp(1.0, -int(log_blowup));
  const double bits = double(num_queries) * std::log2(2.0 / (1.0 + rho)) + double(query_proof_of_work_bits);
  // The epsilon keeps an exact integer bound (e.g. the standard sets' 100) from rounding down.
  const double floored = std::floor(bits + 1e-9);
  return floored >= double(kChallengeFieldBits) ? kChallengeFieldBits : uint32_t(floored);
}

uint32_t FriParameters::conjectured_security_bits() const {
  const uint64_t bits = uint64_t(log_blowup) * num_queries + query_proof_of_work_bits;
  return bits >= kChallengeFieldBits ? kChallengeFieldBits : uint32_t(bits);
}

void FriParameters::validate() const {
  for (const FieldRange& r : kFieldRanges) check_range(r, int64_t(this->*r.field));
  if (log_blowup + log_final_poly_len > kMaxLogDomain)
    throw InputError("FriParameters: log_blowup + log_final_poly_len = " +
                     std::to_string(log_blowup + log_final_poly_len) + " exceeds the field's two-adicity " +
                     std::to_string(kMaxLogDomain));
}

void FriParameters::write(FieldWriter& w) const {
  for (const FieldRange& r : kFieldRanges) w.u32(this->*r.field);
}

FriParameters FriParameters::read(FieldReader& r) {
  FriParameters p;
  p.log_blowup = r.u32("fri.log_blowup");
  p.log_final_poly_len = r.u32("fri.log_final_poly_len");
  p.num_queries = r.u32("fri.num_queries");
  p.commit_proof_of_work_bits = r.u32("fri.commit_proof_of_work_bits");
  p.query_proof_of_work_bits = r.u32("fri.query_proof_of_work_bits");
  try {
    p.validate();
  } catch (const InputError& e) {
    r.fail("fri parameters", e.what());
  }
  return p;
}

}  // namespace stark
