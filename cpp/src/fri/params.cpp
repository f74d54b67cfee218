#include "stark/fri/params.hpp"

#include <string>

#include "stark/challenger/challenger.hpp"
#include "stark/util/error.hpp"

namespace stark {

static_assert(FriParameters::kMaxPowBits == Challenger::kMaxBits, "PoW bound must match the challenger");

FriParameters FriParameters::standard_fast() { return standard_with_100_bits_security(1); }

FriParameters FriParameters::standard_with_100_bits_security(uint32_t log_blowup) {
  // openvm v1.4.0 standard_fri_params_with_100_bits_security: (queries, commit PoW, query PoW).
  switch (log_blowup) {
    case 1:
      return FriParameters{1, 0, 193, 20, 20};
    case 2:
      return FriParameters{2, 0, 118, 16, 20};
    case 3:
      return FriParameters{3, 0, 97, 16, 20};
    case 4:
      return FriParameters{4, 0, 88, 16, 20};
    default:
      throw InputError("standard_with_100_bits_security: log_blowup must be 1, 2, 3 or 4, got " +
                       std::to_string(log_blowup));
  }
}

double FriParameters::conjectured_security_bits() const {
  return double(log_blowup) * double(num_queries) + double(query_proof_of_work_bits);
}

void FriParameters::validate() const {
  auto range = [](const char* name, uint32_t v, uint32_t lo, uint32_t hi) {
    if (v < lo || v > hi)
      throw InputError(std::string("FriParameters.") + name + ": " + std::to_string(v) + " is outside [" +
                       std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  range("log_blowup", log_blowup, 1, kMaxLogBlowup);
  range("log_final_poly_len", log_final_poly_len, 0, kMaxLogDomain);
  range("num_queries", num_queries, 1, kMaxNumQueries);
  range("commit_proof_of_work_bits", commit_proof_of_work_bits, 0, kMaxPowBits);
  range("query_proof_of_work_bits", query_proof_of_work_bits, 0, kMaxPowBits);
  if (log_blowup + log_final_poly_len > kMaxLogDomain)
    throw InputError("FriParameters: log_blowup + log_final_poly_len = " +
                     std::to_string(log_blowup + log_final_poly_len) + " exceeds the field's two-adicity 27");
}

void FriParameters::write(ByteWriter& w) const {
  w.u32(log_blowup);
  w.u32(log_final_poly_len);
  w.u32(num_queries);
  w.u32(commit_proof_of_work_bits);
  w.u32(query_proof_of_work_bits);
}

FriParameters FriParameters::read(ByteReader& r) {
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
