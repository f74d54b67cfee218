// Challenger tests: the duplex sponge against explicit permutations of docs/protocol.md §3, and grinding
// (smallest witness, thread-count independence, post-grind state equal to the verifier's).
#include <array>
#include <string>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/field/babybear.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using stark::Challenger;
using State = std::array<uint32_t, 16>;

namespace {

State perm(State s) {
  stark::poseidon2_permute(s.data());
  return s;
}

}  // namespace

TEST(fresh_samples_pop_the_rate_from_the_end) {
  Challenger ch;
  const State s1 = perm(State{});
  for (int j = 7; j >= 0; --j) CHECK_EQ(ch.sample(), s1[j]);
  const State s2 = perm(s1);  // empty input buffer: plain re-permutation
  CHECK_EQ(ch.sample(), s2[7]);
}

TEST(partial_observation_overwrites_the_front_of_the_state) {
  Challenger ch;
  ch.observe(5);
  ch.observe(6);
  ch.observe(7);
  State s{};
  s[0] = 5, s[1] = 6, s[2] = 7;
  const State s1 = perm(s);
  CHECK_EQ(ch.sample(), s1[7]);
  CHECK_EQ(ch.sample(), s1[6]);
  // observing discards the remaining outputs; the next duplex overwrites only s[0]
  ch.observe(9);
  State t = s1;
  t[0] = 9;
  const State s2 = perm(t);
  CHECK_EQ(ch.sample(), s2[7]);
}

TEST(eighth_observation_duplexes_and_the_next_sample_does_not_permute_again) {
  Challenger ch;
  State s{};
  for (uint32_t i = 0; i < 8; ++i) {
    ch.observe(100 + i);
    s[i] = 100 + i;
  }
  CHECK(ch.input_buffer().empty());
  CHECK_EQ(ch.output_buffer().size(), size_t(8));
  const State s1 = perm(s);
  CHECK_EQ(ch.sample(), s1[7]);
  // nine observations: the ninth starts a new input block on top of the permuted state
  Challenger ch2;
  for (uint32_t i = 0; i < 9; ++i) ch2.observe(100 + i);
  State t = s1;
  t[0] = 108;
  const State s2 = perm(t);
  CHECK_EQ(ch2.sample(), s2[7]);
}

TEST(sample_ext_order_and_third_repermutes) {
  Challenger ch;
  ch.observe(1);
  State s{};
  s[0] = 1;
  const State s1 = perm(s);
  uint32_t e[4];
  ch.sample_ext().to_canonical(e);
  CHECK_EQ(e[0], s1[7]);
  CHECK_EQ(e[1], s1[6]);
  CHECK_EQ(e[2], s1[5]);
  CHECK_EQ(e[3], s1[4]);
  ch.sample_ext().to_canonical(e);
  CHECK_EQ(e[0], s1[3]);
  CHECK_EQ(e[3], s1[0]);
  const State s2 = perm(s1);
  ch.sample_ext().to_canonical(e);
  CHECK_EQ(e[0], s2[7]);
  CHECK_EQ(e[3], s2[4]);
}

TEST(observe_digest_and_ext_are_element_sequences) {
  Challenger a, b, c;
  const stark::Digest d{1, 2, 3, 4, 5, 6, 7, 8};
  a.observe_digest(d);
  for (uint32_t v : d) b.observe(v);
  c.observe_many(d);
  CHECK(a == b);
  CHECK(a == c);
  const uint32_t coeffs[4] = {11, 22, 33, 44};
  a.observe_ext(stark::Ext4::from_canonical(coeffs));
  for (uint32_t v : coeffs) b.observe(v);
  CHECK(a == b);
  CHECK_EQ(a.sample(), b.sample());
}

TEST(sample_bits_is_low_bits_of_the_canonical_sample) {
  Challenger a, b;
  a.observe(42);
  b.observe(42);
  for (uint32_t bits : {0u, 1u, 5u, 17u, 27u, 30u}) {
    const uint32_t v = b.sample();
    CHECK_EQ(a.sample_bits(bits), v & ((uint32_t(1) << bits) - 1));
  }
  CHECK_THROWS(a.sample_bits(31), stark::InputError);
}

TEST(copies_are_independent) {
  Challenger a;
  a.observe(3);
  Challenger b = a;
  CHECK_EQ(a.sample(), b.sample());
  a.observe(4);
  b.observe(5);
  CHECK(a.sample() != b.sample());
}

TEST(observe_rejects_non_canonical_values) {
  Challenger ch;
  CHECK_THROWS(ch.observe(stark::P), stark::InputError);
  const std::vector<uint32_t> values{1, 2, stark::P + 3};
  CHECK_THROWS(ch.observe_many(values), stark::InputError);
  CHECK(ch == Challenger());  // nothing was observed
}

TEST(grind_returns_the_smallest_witness) {
  for (size_t pending = 0; pending < 8; ++pending) {
    for (uint32_t bits : {1u, 4u, 6u, 8u}) {
      Challenger ch;
      for (size_t i = 0; i < 8 + pending; ++i)
        ch.observe(uint32_t(1000 * bits + i));  // one full block + pending
      CHECK_EQ(ch.input_buffer().size(), pending);
      Challenger brute = ch;
      uint32_t expected = 0;
      for (;; ++expected) {
        Challenger trial = brute;
        if (trial.check_witness(bits, expected)) break;
      }
      Challenger prover = ch;
      const uint32_t w = prover.grind(bits);
      CHECK_EQ(w, expected);
      Challenger verifier = ch;
      CHECK(verifier.check_witness(bits, w));
      CHECK(prover == verifier);
      CHECK_EQ(prover.sample(), verifier.sample());
    }
  }
}

TEST(grind_is_independent_of_thread_count) {
  Challenger ch;
  ch.observe(77);
  ch.observe(78);
  std::vector<uint32_t> found;
  for (int threads : {1, 2, 3}) {
    stark::set_num_threads(threads);
    Challenger c = ch;
    found.push_back(c.grind(12));
  }
  stark::set_num_threads(0);
  CHECK_EQ(found[0], found[1]);
  CHECK_EQ(found[0], found[2]);
  Challenger check = ch;
  CHECK(check.check_witness(12, found[0]));
  for (uint32_t w = 0; w < found[0]; ++w) {
    Challenger trial = ch;
    CHECK(!trial.check_witness(12, w));
  }
}

TEST(zero_bits_and_non_canonical_witnesses) {
  Challenger ch;
  ch.observe(1);
  Challenger before = ch;
  CHECK_EQ(ch.grind(0), 0u);
  CHECK(ch == before);
  CHECK(ch.check_witness(0, 12345));
  CHECK(ch == before);
  CHECK(!ch.check_witness(4, stark::P));
  CHECK(!ch.check_witness(4, 0xffffffffu));
  CHECK_THROWS(ch.grind(31), stark::InputError);
  CHECK_THROWS(ch.check_witness(31, 0), stark::InputError);
  CHECK_THROWS(stark::grind_search(State{}, std::vector<uint32_t>(8), 4), stark::InputError);
}

// A device's search backend is used when passed to grind, and only then; it finds the CPU's witness.
TEST(grind_backend_is_used_when_given) {
  struct CountingBackend final : stark::GrindBackend {
    mutable int calls = 0;
    uint64_t grind_range(const std::array<uint32_t, 16>& base, size_t slot, uint32_t first, uint64_t count,
                         uint32_t bits) const override {
      ++calls;
      return stark::Poseidon2::standard().grind_range(base, slot, first, size_t(count), bits);
    }
  };
  CountingBackend backend;
  Challenger ch;
  ch.observe(5);
  Challenger plain = ch;
  const uint32_t expected = plain.grind(10);
  {
    Challenger c = ch;
    CHECK_EQ(c.grind(10, &backend), expected);
    CHECK(c == plain);
    CHECK_EQ(backend.calls, 1);
  }
  Challenger after = ch;
  CHECK_EQ(after.grind(10), expected);
  CHECK_EQ(backend.calls, 1);
}

// A device whose search returns a witness that does not pass the check is a DeviceError (before,
// a std::logic_error that reached Python as a plain RuntimeError).
TEST(wrong_device_witness_is_a_device_error) {
  struct WrongBackend final : stark::GrindBackend {
    uint64_t grind_range(const std::array<uint32_t, 16>&, size_t, uint32_t first, uint64_t,
                         uint32_t) const override {
      return first;  // claims the first candidate passes
    }
  };
  Challenger ch;
  uint32_t v = 0;
  for (;; ++v) {  // a transcript where the witness 0 does not pass 12 bits
    Challenger probe;
    probe.observe(v);
    if (!probe.check_witness(12, 0)) break;
  }
  ch.observe(v);
  const WrongBackend wrong;
  std::string message;
  try {
    ch.grind(12, &wrong);
  } catch (const stark::DeviceError& e) {
    message = e.what();
  }
  CHECK(message.find("does not pass the proof-of-work check") != std::string::npos);
}
