#include "stark/fri/proof.hpp"

#include <string_view>

namespace stark {

bool FriQueryProof::operator==(const FriQueryProof& o) const {
  if (input_proof.size() != o.input_proof.size() ||
      commit_phase_openings.size() != o.commit_phase_openings.size())
    return false;
  for (size_t i = 0; i < input_proof.size(); ++i)
    if (input_proof[i].opened_rows != o.input_proof[i].opened_rows ||
        input_proof[i].siblings != o.input_proof[i].siblings)
      return false;
  for (size_t i = 0; i < commit_phase_openings.size(); ++i)
    if (commit_phase_openings[i].sibling_value != o.commit_phase_openings[i].sibling_value ||
        commit_phase_openings[i].siblings != o.commit_phase_openings[i].siblings)
      return false;
  return true;
}

bool FriProof::operator==(const FriProof& o) const {
  return commit_phase_commits == o.commit_phase_commits && commit_pow_witnesses == o.commit_pow_witnesses &&
         final_poly == o.final_poly && query_pow_witness == o.query_pow_witness &&
         query_proofs == o.query_proofs;
}

namespace {

// Writes the FRI proof; `mark(section)` is called after each section (the byte format's order).
template <class Mark>
void write_fri_sections(FieldWriter& w, const FriProof& proof, Mark&& mark) {
  w.u32(uint32_t(proof.commit_phase_commits.size()));
  for (const Digest& d : proof.commit_phase_commits) w.digest(d);
  w.u32(uint32_t(proof.commit_pow_witnesses.size()));
  for (uint32_t v : proof.commit_pow_witnesses) w.felt(v);
  w.u32(uint32_t(proof.final_poly.size()));
  for (const Ext4& c : proof.final_poly) w.ext(c);
  w.felt(proof.query_pow_witness);
  w.u32(uint32_t(proof.query_proofs.size()));
  mark("fri.commit_phase");
  for (const FriQueryProof& q : proof.query_proofs) {
    w.u32(uint32_t(q.input_proof.size()));
    for (const FriInputOpening& in : q.input_proof) {
      w.u32(uint32_t(in.opened_rows.size()));
      for (const auto& row : in.opened_rows) {
        w.u32(uint32_t(row.size()));
        for (uint32_t v : row) w.felt(v);
      }
      w.u32(uint32_t(in.siblings.size()));
      for (const Digest& d : in.siblings) w.digest(d);
    }
    mark("fri.input_openings");
    w.u32(uint32_t(q.commit_phase_openings.size()));
    for (const FriCommitPhaseOpening& c : q.commit_phase_openings) {
      w.ext(c.sibling_value);
      w.u32(uint32_t(c.siblings.size()));
      for (const Digest& d : c.siblings) w.digest(d);
    }
    mark("fri.layer_openings");
  }
}

}  // namespace

void write_fri_proof(FieldWriter& w, const FriProof& proof) {
  write_fri_sections(w, proof, [](const char*) {});
}

std::vector<std::pair<const char*, size_t>> fri_proof_section_sizes(const FriProof& proof) {
  std::vector<std::pair<const char*, size_t>> sizes = {
      {"fri.commit_phase", 0}, {"fri.input_openings", 0}, {"fri.layer_openings", 0}};
  FieldWriter w;
  size_t last = 0;
  write_fri_sections(w, proof, [&](const char* section) {
    for (auto& [name, bytes] : sizes)
      if (std::string_view(name) == section) bytes += w.size() - last;
    last = w.size();
  });
  return sizes;
}

namespace {
// Smallest encodings, used to bound untrusted lengths by the bytes that remain.
constexpr size_t kFeltBytes = 4;
constexpr size_t kExtBytes = 16;
constexpr size_t kDigestBytes = 32;
constexpr size_t kMinRowBytes = 4;             // length prefix
constexpr size_t kMinInputOpeningBytes = 8;    // two length prefixes
constexpr size_t kMinCommitOpeningBytes = 20;  // ext + length prefix
constexpr size_t kMinQueryBytes = 8;           // two length prefixes

std::vector<Digest> read_digests(FieldReader& r, const char* len_field, const char* field) {
  const size_t n = r.length(len_field, kDigestBytes);
  std::vector<Digest> out(n);
  for (auto& d : out) d = r.digest(field);
  return out;
}
}  // namespace

FriProof read_fri_proof(FieldReader& r) {
  FriProof p;
  p.commit_phase_commits = read_digests(r, "fri.commit_phase_commits.len", "fri.commit_phase_commits");
  {
    const size_t n = r.length("fri.commit_pow_witnesses.len", kFeltBytes);
    p.commit_pow_witnesses.resize(n);
    for (auto& v : p.commit_pow_witnesses) v = r.felt("fri.commit_pow_witnesses");
  }
  {
    const size_t n = r.length("fri.final_poly.len", kExtBytes);
    p.final_poly.resize(n);
    for (auto& c : p.final_poly) c = r.ext("fri.final_poly");
  }
  p.query_pow_witness = r.felt("fri.query_pow_witness");
  const size_t num_queries = r.length("fri.query_proofs.len", kMinQueryBytes);
  p.query_proofs.resize(num_queries);
  for (FriQueryProof& q : p.query_proofs) {
    q.input_proof.resize(r.length("fri.query.input_proof.len", kMinInputOpeningBytes));
    for (FriInputOpening& in : q.input_proof) {
      in.opened_rows.resize(r.length("fri.query.input_proof.opened_rows.len", kMinRowBytes));
      for (auto& row : in.opened_rows) {
        row.resize(r.length("fri.query.input_proof.row.len", kFeltBytes));
        r.felts(row.data(), row.size(), "fri.query.input_proof.row");
      }
      in.siblings = read_digests(r, "fri.query.input_proof.siblings.len", "fri.query.input_proof.siblings");
    }
    q.commit_phase_openings.resize(r.length("fri.query.commit_phase_openings.len", kMinCommitOpeningBytes));
    for (FriCommitPhaseOpening& c : q.commit_phase_openings) {
      c.sibling_value = r.ext("fri.query.commit_phase_openings.sibling_value");
      c.siblings = read_digests(r, "fri.query.commit_phase_openings.siblings.len",
                                "fri.query.commit_phase_openings.siblings");
    }
  }
  return p;
}

std::vector<uint8_t> fri_proof_to_bytes(const FriProof& proof) {
  FieldWriter w;
  write_fri_proof(w, proof);
  return w.take();
}

FriProof fri_proof_from_bytes(const uint8_t* data, size_t size) {
  FieldReader r(data, size, "fri proof");
  FriProof p = read_fri_proof(r);
  r.expect_end();
  return p;
}

}  // namespace stark
