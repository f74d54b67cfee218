# CUDA translation units: STARK_CUDA = AUTO | ON | OFF.
# AUTO builds them when a CUDA compiler is found. The wheel never requires a GPU at run time:
# cuda_available() asks the driver, and every CUDA entry point raises DeviceError without one.
set(STARK_HAVE_CUDA OFF)
if(NOT STARK_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT DEFINED CMAKE_CUDA_COMPILER)
    find_program(_stark_nvcc nvcc HINTS /usr/local/cuda/bin ENV CUDA_HOME PATH_SUFFIXES bin)
    if(_stark_nvcc)
      set(CMAKE_CUDA_COMPILER ${_stark_nvcc})
    endif()
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Hopper (H100/H200) and Ampere; PTX for newer parts.
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90")
    endif()
    enable_language(CUDA)
    set(STARK_HAVE_CUDA ON)
  elseif(STARK_CUDA STREQUAL "ON")
    message(FATAL_ERROR "STARK_CUDA=ON but no CUDA compiler was found")
  else()
    message(STATUS "stark: no CUDA toolkit found, building without the CUDA units")
  endif()
endif()

if(STARK_HAVE_CUDA)
  find_package(CUDAToolkit REQUIRED)
  # cuda/*.cu and the shared library cuda/common/ (not cuda/prover/: it belongs to the core).
  file(GLOB STARK_CUDA_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cuda/*.cu
    ${CMAKE_CURRENT_SOURCE_DIR}/cuda/*.cpp ${CMAKE_CURRENT_SOURCE_DIR}/cuda/common/*.cu
    ${CMAKE_CURRENT_SOURCE_DIR}/cuda/common/*.cpp)
  add_library(stark_cuda STATIC ${STARK_CUDA_SOURCES})
  set_target_properties(stark_cuda PROPERTIES CUDA_SEPARABLE_COMPILATION OFF
    POSITION_INDEPENDENT_CODE ON CUDA_STANDARD 20 CUDA_STANDARD_REQUIRED ON)
  target_include_directories(stark_cuda PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/cpp/include
    ${CMAKE_CURRENT_SOURCE_DIR}/cuda ${CMAKE_CURRENT_BINARY_DIR}/generated)
  # --expt-relaxed-constexpr: the kernels call the constexpr field arithmetic of
  # stark/field/babybear.hpp directly (one implementation of the field for host and device).
  target_compile_options(stark_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr>)
  target_link_libraries(stark_cuda PUBLIC CUDA::cudart_static)
  target_link_libraries(stark_core PUBLIC stark_cuda)
  # The CUDA prover device (cuda/prover/) is host code over the kernels' launchers: it is part of
  # the core (it implements the core's ProverDevice seam), so no cycle between the libraries.
  file(GLOB STARK_CUDA_DEVICE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cuda/prover/*.cpp)
  target_sources(stark_core PRIVATE ${STARK_CUDA_DEVICE_SOURCES})
  target_include_directories(stark_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cuda)
  target_compile_definitions(stark_core PUBLIC STARK_HAVE_CUDA=1)
  message(STATUS "stark: building CUDA units for ${CMAKE_CUDA_ARCHITECTURES}")
else()
  target_sources(stark_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cpp/src/cuda_stub/cuda_stub.cpp)
endif()
