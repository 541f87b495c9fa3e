# SPDX-License-Identifier: MIT
# pq_common: the compile settings every project target links (C++20, warnings, Qt hygiene).
add_library(pq_common INTERFACE)
target_compile_features(pq_common INTERFACE cxx_std_20)
target_compile_options(pq_common INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
                              -Wold-style-cast>
    # Quantizers must be bit-identical across backends and instruction sets: never fuse a
    # multiply and an add into an FMA behind the source's back (GCC's default for gnu++ modes).
    $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)
# Include paths are written from the repository root: #include "core/io/checkpoint.h".
target_include_directories(pq_common INTERFACE ${PROJECT_SOURCE_DIR})

# Qt-only defines; linked by the targets that link Qt (widgets, app/gui, widget tests).
add_library(pq_qt_common INTERFACE)
target_compile_definitions(pq_qt_common INTERFACE
    QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING QT_NO_FOREACH QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)

# Where the shared third-party test data lives (beside the checkout), and the bundled examples.
set(PQ_SHARED_DATA_DIR "${PROJECT_SOURCE_DIR}/../shared/data" CACHE PATH
    "Directory with the shared third-party test data")

# pq_add_test(NAME <name> SOURCES <files...> [LIBS <targets...>] [LABELS <labels...>]
#             [ENV <VAR=value...>] [TIMEOUT <s>])
# One Qt Test executable per test file. TEST_DATA_DIR points at the test's own data folder and
# PQ_SHARED_DATA_DIR at ../shared/data, so nothing depends on the working directory.
function(pq_add_test)
    cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
    target_link_libraries(${T_NAME} PRIVATE pq_common pq_qt_common Qt6::Test ${T_LIBS})
    target_compile_definitions(${T_NAME} PRIVATE
        TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data"
        PQ_SHARED_DATA_DIR="${PQ_SHARED_DATA_DIR}"
        PQ_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        PQ_BINARY_DIR="${PROJECT_BINARY_DIR}")
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    # Passive OpenMP waits: libtorch's spinning OpenMP threads crawl (10x and worse) when
    # ctest -j runs tests and builds side by side on a small machine.
    set_tests_properties(${T_NAME} PROPERTIES
        LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_WAIT_POLICY=PASSIVE;${T_ENV}")
endfunction()
