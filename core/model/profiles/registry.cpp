// SPDX-License-Identifier: MIT
#include <algorithm>

#include "core/model/profiles/profiles.h"

namespace pq::core {

const std::vector<const ProfileSpec *> &allProfiles()
{
    static const std::vector<const ProfileSpec *> all = {
            &profiles::llama(),      &profiles::mistral(),    &profiles::qwen2(),
            &profiles::qwen3(),      &profiles::qwen3Moe(),   &profiles::mixtral(),
            &profiles::qwen3_5(),    &profiles::qwen3_5Moe(), &profiles::gemma3(),
            &profiles::deepseekV3(), &profiles::gptOss(),     &profiles::generic()};
    return all;
}

const ProfileSpec &genericProfile()
{
    return profiles::generic();
}

const ProfileSpec *findProfile(const ModelConfig &config)
{
    for (const std::string &type : {config.modelType, config.textModelType}) {
        for (const ProfileSpec *p : allProfiles()) {
            if (std::find(p->modelTypes.begin(), p->modelTypes.end(), type) !=
                p->modelTypes.end()) {
                return p;
            }
        }
    }
    return nullptr;
}

std::string supportedModelTypes()
{
    std::string out;
    for (const ProfileSpec *p : allProfiles()) {
        for (const std::string_view type : p->modelTypes) {
            out += out.empty() ? "" : ", ";
            out += type;
        }
    }
    return out;
}

}  // namespace pq::core
