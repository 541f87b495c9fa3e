// SPDX-License-Identifier: MIT
// RUN_DIR/sensitivity.json, schema "prismaquant.sensitivity/1" (docs/sensitivity-json.md).
#include <nlohmann/json.hpp>

#include "core/probe/probe.h"

namespace pq::probe {

std::string SensitivityReport::toJson() const
{
    using ojson = nlohmann::ordered_json;
    ojson formats = ojson::array();
    for (const core::quant::FormatId id : settings.formats) {
        formats.push_back(core::quant::formatInfo(id).name);
    }
    ojson linearsJson = ojson::array();
    for (const LinearSensitivity &l : linears) {
        ojson wc = ojson::object();
        ojson oc = ojson::object();
        for (const auto &[id, v] : l.weightCost) {
            wc[std::string(core::quant::formatInfo(id).name)] = v;
        }
        for (const auto &[id, v] : l.outputCost) {
            oc[std::string(core::quant::formatInfo(id).name)] = v;
        }
        linearsJson.push_back({{"name", l.name},
                               {"tokens", l.tokens},
                               {"fisher_trace", l.fisherTrace},
                               {"input_amax", l.inputAmax},
                               {"weight_cost", wc},
                               {"output_cost", oc},
                               {"channel_fisher", l.channelFisher}});
    }
    const ojson j = {{"schema", "prismaquant.sensitivity/1"},
                     {"model_dir", modelDir},
                     {"tokens", tokens},
                     {"mean_loss", meanLoss},
                     {"cost_units", "predicted increase of the summed token cross-entropy per "
                                    "token (nats), second-order estimate"},
                     {"calibration", ojson::parse(calibrationJson)},
                     {"settings",
                      {{"formats", formats},
                       {"output_tokens", settings.outputTokens},
                       {"torch", torchVersion()}}},
                     {"linears", linearsJson}};
    return j.dump(1);
}

}  // namespace pq::probe
