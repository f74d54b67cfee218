// The host-side text of cuda/common/: out-of-memory messages name the operation, the bytes asked,
// the bytes free and what the pool holds unused (checked without a GPU; test_device_cuda checks
// that a real out-of-memory raises exactly this text and that the process keeps working).
#include <string>

#include "common/memory_message.hpp"
#include "testing.hpp"

using stark::cuda::format_bytes;
using stark::cuda::out_of_memory_message;

TEST(bytes_are_printed_in_binary_units_with_the_exact_count) {
  CHECK_EQ(format_bytes(0), std::string("0 B"));
  CHECK_EQ(format_bytes(1023), std::string("1023 B"));
  CHECK_EQ(format_bytes(1024), std::string("1.00 KiB (1024 bytes)"));
  CHECK_EQ(format_bytes(size_t(3) << 29), std::string("1.50 GiB (1610612736 bytes)"));
  CHECK_EQ(format_bytes(size_t(5) << 40), std::string("5.00 TiB (5497558138880 bytes)"));
  CHECK_EQ(format_bytes(size_t(3000) << 40), std::string("3000.00 TiB (3298534883328000 bytes)"));
}

TEST(out_of_memory_names_the_call_the_request_and_the_free_memory) {
  const std::string m = out_of_memory_message("coset LDE of main trace", size_t(80) << 30, size_t(2) << 30,
                                              size_t(140) << 30, 0);
  CHECK_EQ(m, std::string("coset LDE of main trace: out of device memory: asked for 80.00 GiB (85899345920 "
                          "bytes), 2.00 GiB (2147483648 bytes) of 140.00 GiB (150323855360 bytes) free on "
                          "the device"));
  const std::string p = out_of_memory_message("x", 4096, 1024, 2048, 512);
  CHECK(p.find("(512 B more held unused by this process's memory pool)") != std::string::npos);
}
