// SPDX-License-Identifier: MIT
#pragma once

// One function per built-in profile; each lives in its own small file.

#include "core/model/profile.h"
#include "core/model/profiles/common.h"

namespace pq::core::profiles {

const ProfileSpec &llama();
const ProfileSpec &mistral();
const ProfileSpec &qwen2();
const ProfileSpec &qwen3();
const ProfileSpec &qwen3Moe();
const ProfileSpec &mixtral();
const ProfileSpec &qwen3_5();     // NOLINT(readability-identifier-naming): family name
const ProfileSpec &qwen3_5Moe();  // NOLINT(readability-identifier-naming): family name
const ProfileSpec &gemma3();
const ProfileSpec &deepseekV3();
const ProfileSpec &gptOss();
const ProfileSpec &generic();

}  // namespace pq::core::profiles
