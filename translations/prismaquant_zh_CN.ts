<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <source>PrismaQuant Studio: mixed-precision quantization of large language models.</source>
        <translation>PrismaQuant Studio：大语言模型的混合精度量化。</translation>
    </message>
    <message>
        <source>Model folder to open (the one with config.json), or a run directory of the prismaquant command line.</source>
        <translation>要打开的模型文件夹（包含 config.json 的文件夹），或 prismaquant 命令行工具的运行目录。</translation>
    </message>
    <message>
        <source>Save every view of the run as PNG into the folder, then quit.</source>
        <translation>将此次运行的每个视图以 PNG 格式保存到该文件夹，然后退出。</translation>
    </message>
</context>
<context>
    <name>pq::gui::MainWindow</name>
    <message>
        <source>PrismaQuant Studio</source>
        <translation>PrismaQuant Studio</translation>
    </message>
    <message>
        <source>&amp;Open Model Directory…</source>
        <translation>打开模型目录(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (the one with config.json)</source>
        <translation>打开 Hugging Face 模型文件夹（包含 config.json 的文件夹）</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;About PrismaQuant Studio</source>
        <translation>关于 PrismaQuant Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Model in one line</source>
        <translation>模型一览</translation>
    </message>
    <message>
        <source>Open a model folder to begin (File ▸ Open Model Directory).</source>
        <translation>请先打开一个模型文件夹（文件 ▸ 打开模型目录）。</translation>
    </message>
    <message>
        <source>Open Model Directory</source>
        <translation>打开模型目录</translation>
    </message>
    <message>
        <source>About PrismaQuant Studio</source>
        <translation>关于 PrismaQuant Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;PrismaQuant Studio %1&lt;/h3&gt;&lt;p&gt;Sensitivity-driven mixed-precision quantization of large language models: measure how much each layer minds being quantized, then choose a number format per layer for the size you can afford.&lt;/p&gt;&lt;p&gt;Built with Qt %2. Licensed under the MIT licence.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;PrismaQuant Studio %1&lt;/h3&gt;&lt;p&gt;基于敏感度的大语言模型混合精度量化：先测量每一层对量化的敏感程度，再根据您能承受的模型大小，为每一层选择数值格式。&lt;/p&gt;&lt;p&gt;使用 Qt %2 构建。以 MIT 许可证发布。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <source>%1 — PrismaQuant Studio</source>
        <translation>%1 — PrismaQuant Studio</translation>
    </message>
    <message>
        <source>%1 · %2 Linears · %3 parameters · %4</source>
        <translation>%1 · %2 个 Linear · %3 参数 · %4</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>已加载 %1</translation>
    </message>
    <message>
        <source>Could not open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Pareto</source>
        <translation>Pareto</translation>
    </message>
    <message>
        <source>Size against predicted quality: open a run directory of the prismaquant command line to see it</source>
        <translation>模型大小与预测质量的关系：打开 prismaquant 命令行工具的运行目录即可查看</translation>
    </message>
    <message>
        <source>Sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <source>Which layers mind quantization, and which format each one got: open a run directory of the prismaquant command line to see it</source>
        <translation>哪些层对量化敏感，以及每一层分配到了哪种格式：打开 prismaquant 命令行工具的运行目录即可查看</translation>
    </message>
    <message>
        <source>The run&apos;s results could not be read: %1</source>
        <translation>无法读取运行结果：%1</translation>
    </message>
    <message>
        <source>The allocation at the chosen budget</source>
        <translation>所选预算下的格式分配</translation>
    </message>
    <message>
        <source>Allocation</source>
        <translation>格式分配</translation>
    </message>
    <message>
        <source>Every Linear with the format it gets at the chosen budget</source>
        <translation>每个 Linear 及其在所选预算下分配到的格式</translation>
    </message>
    <message>
        <source>&amp;Export Checkpoint…</source>
        <translation>导出检查点(&amp;E)…</translation>
    </message>
    <message>
        <source>Write the allocation at the chosen budget as a checkpoint vLLM serves</source>
        <translation>将所选预算下的格式分配写出为可用 vLLM 部署的检查点</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>测量</translation>
    </message>
    <message>
        <source>Measure how much each Linear minds each format, on a text</source>
        <translation>基于一段文本，测量每个 Linear 对各种格式的敏感程度</translation>
    </message>
    <message>
        <source>The budget could not be kept in the run directory: %1</source>
        <translation>无法将预算保存到运行目录：%1</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Open &amp;Run Directory…</source>
        <translation>打开运行目录(&amp;R)…</translation>
    </message>
    <message>
        <source>Open Run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>Open a folder written by prismaquant run or probe: its model and results</source>
        <translation>打开由 prismaquant run 或 probe 写出的文件夹：其中的模型和结果</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>E&amp;valuate at This Budget</source>
        <translation>在此预算下评估(&amp;V)</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Measure the recipe at the chosen budget on the text the probe kept apart</source>
        <translation>在测量时留出的文本上，测量所选预算下的方案</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>Main Toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>The running job</source>
        <translation>正在运行的任务</translation>
    </message>
    <message>
        <source>Progress of the running job</source>
        <translation>正在运行的任务的进度</translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation>取消正在运行的任务</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Not a Run Directory</source>
        <translation>不是运行目录</translation>
    </message>
    <message>
        <source>%1 is not a run directory: it holds neither run.json nor sensitivity.json.</source>
        <translation>%1 不是运行目录：其中既没有 run.json，也没有 sensitivity.json。</translation>
    </message>
    <message>
        <source>Run directories are the folders that prismaquant run and prismaquant probe write. To look at a model folder, use File ▸ Open Model Directory.</source>
        <translation>运行目录是 prismaquant run 和 prismaquant probe 写出的文件夹。要查看模型文件夹，请使用“文件 ▸ 打开模型目录”。</translation>
    </message>
    <message>
        <source>Open Run Directory</source>
        <translation>打开运行目录</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language takes effect the next time PrismaQuant Studio starts.</source>
        <translation>新语言将在下次启动 PrismaQuant Studio 时生效。</translation>
    </message>
</context>
<context>
    <name>pq::gui::RecentMenu</name>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;%1 %2</source>
        <translation>&amp;%1 %2</translation>
    </message>
    <message>
        <source>&amp;Clear Menu</source>
        <translation>清除菜单(&amp;C)</translation>
    </message>
</context>
<context>
    <name>pq::widgets::AllocationTableModel</name>
    <message>
        <source>n/a</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>Linear</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Predicted Δloss</source>
        <translation>预测 Δloss</translation>
    </message>
    <message>
        <source>The number format the allocation gives this Linear at the chosen budget</source>
        <translation>格式分配在所选预算下为此 Linear 选定的数值格式</translation>
    </message>
    <message>
        <source>What the Linear&apos;s weights take in that format, scales included</source>
        <translation>此 Linear 的权重以该格式存储时占用的空间（含缩放因子）</translation>
    </message>
    <message>
        <source>How much the model&apos;s loss is predicted to rise (nats per token) when this Linear is stored in that format; 0 for BF16, the source precision</source>
        <translation>以该格式存储此 Linear 时，模型的预测损失增量（nats/token）；BF16 即原始精度，此值为 0</translation>
    </message>
    <message>
        <source>pinned</source>
        <translation>已固定</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>固定</translation>
    </message>
    <message>
        <source>Pinned Linears keep the format you chose at every budget (right-click a row to pin or unpin it)</source>
        <translation>已固定的 Linear 在任何预算下都保留您选择的格式（右键单击一行即可固定或取消固定）</translation>
    </message>
</context>
<context>
    <name>pq::widgets::AllocationView</name>
    <message>
        <source>Filter by name, role or format (e.g. &quot;down NVFP4&quot;)</source>
        <translation>按名称、角色或格式筛选（例如“down NVFP4”）</translation>
    </message>
    <message>
        <source>Filter the Linears</source>
        <translation>筛选 Linear</translation>
    </message>
    <message>
        <source>Linears with their formats</source>
        <translation>Linear 及其格式</translation>
    </message>
    <message>
        <source>%1: %2 Linears, %3</source>
        <translation>%1：%2 个 Linear，%3</translation>
    </message>
    <message>
        <source>%1 · predicted loss increase %2 nats per token
%3</source>
        <translation>%1 · 预测损失增量：每 token %2 nats
%3</translation>
    </message>
    <message>
        <source>Pin to</source>
        <translation>固定为</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消固定</translation>
    </message>
    <message>
        <source>Pin Matching…</source>
        <translation>按模式固定…</translation>
    </message>
    <message>
        <source>Remove Pattern Pin</source>
        <translation>移除模式固定</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Why the last pin was not made</source>
        <translation>上次固定未能完成的原因</translation>
    </message>
    <message>
        <source>Not pinned: %1</source>
        <translation>未固定：%1</translation>
    </message>
</context>
<context>
    <name>pq::widgets::DisplayText</name>
    <message>
        <source>Attention query projection</source>
        <translation>注意力查询投影</translation>
    </message>
    <message>
        <source>Attention key projection</source>
        <translation>注意力键投影</translation>
    </message>
    <message>
        <source>Attention value projection</source>
        <translation>注意力值投影</translation>
    </message>
    <message>
        <source>Attention output projection</source>
        <translation>注意力输出投影</translation>
    </message>
    <message>
        <source>Attention query down-projection (latent attention)</source>
        <translation>注意力查询降维投影（潜在注意力）</translation>
    </message>
    <message>
        <source>Attention query up-projection (latent attention)</source>
        <translation>注意力查询升维投影（潜在注意力）</translation>
    </message>
    <message>
        <source>Attention key/value down-projection (latent attention)</source>
        <translation>注意力键/值降维投影（潜在注意力）</translation>
    </message>
    <message>
        <source>Attention key/value up-projection (latent attention)</source>
        <translation>注意力键/值升维投影（潜在注意力）</translation>
    </message>
    <message>
        <source>Linear attention query/key/value input projection</source>
        <translation>线性注意力查询/键/值输入投影</translation>
    </message>
    <message>
        <source>Linear attention output-gate input projection</source>
        <translation>线性注意力输出门输入投影</translation>
    </message>
    <message>
        <source>Linear attention decay input projection</source>
        <translation>线性注意力衰减输入投影</translation>
    </message>
    <message>
        <source>Linear attention write-strength input projection</source>
        <translation>线性注意力写入强度输入投影</translation>
    </message>
    <message>
        <source>Linear attention output projection</source>
        <translation>线性注意力输出投影</translation>
    </message>
    <message>
        <source>MLP gate projection</source>
        <translation>MLP 门控投影</translation>
    </message>
    <message>
        <source>MLP up projection</source>
        <translation>MLP 上投影</translation>
    </message>
    <message>
        <source>MLP down projection</source>
        <translation>MLP 下投影</translation>
    </message>
    <message>
        <source>Routed expert gate projection</source>
        <translation>路由专家门控投影</translation>
    </message>
    <message>
        <source>Routed expert up projection</source>
        <translation>路由专家上投影</translation>
    </message>
    <message>
        <source>Routed expert down projection</source>
        <translation>路由专家下投影</translation>
    </message>
    <message>
        <source>Shared expert gate projection</source>
        <translation>共享专家门控投影</translation>
    </message>
    <message>
        <source>Shared expert up projection</source>
        <translation>共享专家上投影</translation>
    </message>
    <message>
        <source>Shared expert down projection</source>
        <translation>共享专家下投影</translation>
    </message>
    <message>
        <source>Multi-token prediction input projection</source>
        <translation>多 token 预测输入投影</translation>
    </message>
    <message>
        <source>Linear layers</source>
        <translation>线性层</translation>
    </message>
    <message>
        <source>Token embeddings</source>
        <translation>词元嵌入</translation>
    </message>
    <message>
        <source>Output head</source>
        <translation>输出头</translation>
    </message>
    <message>
        <source>Norms</source>
        <translation>归一化层</translation>
    </message>
    <message>
        <source>Routers</source>
        <translation>路由器</translation>
    </message>
    <message>
        <source>Biases</source>
        <translation>偏置</translation>
    </message>
    <message>
        <source>Kept as is</source>
        <translation>保持原样</translation>
    </message>
    <message>
        <source>Quantization data</source>
        <translation>量化数据</translation>
    </message>
    <message>
        <source>Not recognised</source>
        <translation>未识别</translation>
    </message>
    <message>
        <source>Weights (read from the safetensors headers)</source>
        <translation>权重（读取自 safetensors 文件头）</translation>
    </message>
    <message>
        <source>Index and config.json (no weights present; shapes derived from the config)</source>
        <translation>索引和 config.json（没有权重文件；形状由配置推导）</translation>
    </message>
    <message>
        <source>config.json only (shapes derived from the config)</source>
        <translation>仅 config.json（形状由配置推导）</translation>
    </message>
    <message>
        <source>%L1 B</source>
        <comment>billions of parameters</comment>
        <translation>%L1 B</translation>
    </message>
    <message>
        <source>%L1 M</source>
        <comment>millions of parameters</comment>
        <translation>%L1 M</translation>
    </message>
    <message>
        <source>%L1 k</source>
        <comment>thousands of parameters</comment>
        <translation>%L1 K</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ErrorText</name>
    <message>
        <source>A file could not be read or written.</source>
        <translation>无法读取或写入文件。</translation>
    </message>
    <message>
        <source>A file that is needed is missing.</source>
        <translation>缺少所需的文件。</translation>
    </message>
    <message>
        <source>A file is damaged or not in the expected format.</source>
        <translation>文件已损坏，或格式不符合预期。</translation>
    </message>
    <message>
        <source>A value is out of range or inconsistent.</source>
        <translation>某个值超出范围或前后矛盾。</translation>
    </message>
    <message>
        <source>This model uses something PrismaQuant cannot handle yet.</source>
        <translation>此模型使用了 PrismaQuant 暂不支持的内容。</translation>
    </message>
    <message>
        <source>This model is already quantized.</source>
        <translation>此模型已经量化过。</translation>
    </message>
    <message>
        <source>A file points outside the model folder, so it was not opened.</source>
        <translation>某个文件指向模型文件夹之外的位置，因此未打开。</translation>
    </message>
    <message>
        <source>The job was cancelled.</source>
        <translation>任务已取消。</translation>
    </message>
    <message>
        <source>The disk is full.</source>
        <translation>磁盘已满。</translation>
    </message>
    <message>
        <source>Something unexpected went wrong.</source>
        <translation>发生了意外错误。</translation>
    </message>
</context>
<context>
    <name>pq::widgets::EvaluateBar</name>
    <message>
        <source>&amp;Evaluate</source>
        <translation>评估(&amp;E)</translation>
    </message>
    <message>
        <source>Measure the recipe at this budget on the text the probe kept apart: how far its predictions drift from the original model&apos;s (KL divergence). The first evaluation also measures each single-format baseline.</source>
        <translation>在测量时留出的文本上测量此预算下的方案：其预测与原始模型的预测相差多远（KL 散度）。首次评估还会测量每种单一格式的基线。</translation>
    </message>
    <message>
        <source>Evaluate the recipe at this budget</source>
        <translation>评估此预算下的方案</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel the evaluation</source>
        <translation>取消评估</translation>
    </message>
    <message>
        <source>Evaluation progress</source>
        <translation>评估进度</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>Cancelled; nothing was recorded.</source>
        <translation>已取消；未记录任何结果。</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>Measuring %1 on held-out text…</source>
        <translation>正在留出文本上测量大小为 %1 的方案…</translation>
    </message>
    <message>
        <source>Evaluate the recipe at %1</source>
        <translation>评估大小为 %1 的方案</translation>
    </message>
    <message>
        <source>Cancelling after the current variant…</source>
        <translation>正在取消，将在当前变体完成后停止…</translation>
    </message>
    <message>
        <source>Text…</source>
        <translation>文本…</translation>
    </message>
    <message>
        <source>Calibration text for the evaluation</source>
        <translation>用于评估的校准文本</translation>
    </message>
    <message>
        <source>The text the probe calibrated on, if it is not where the probe recorded it (a run made on another machine)</source>
        <translation>测量时用于校准的文本，如果它不在测量所记录的位置（例如在另一台机器上完成的运行）</translation>
    </message>
    <message>
        <source>The probe&apos;s calibration text</source>
        <translation>测量所用的校准文本</translation>
    </message>
    <message>
        <source>Text (*.txt *.txt.gz *.jsonl *.jsonl.gz);;All files (*)</source>
        <translation>文本文件 (*.txt *.txt.gz *.jsonl *.jsonl.gz);;所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <source>Measured %n variant(s).</source>
        <translation>
            <numerusform>已测量 %n 个变体。</numerusform>
        </translation>
    </message>
    <message>
        <source>The recipe: KL %1 nats per token (predicted %2).</source>
        <translation>方案：KL 为每 token %1 nats（预测值 %2）。</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ExpertGrid</name>
    <message>
        <source>Never reached: no calibration token</source>
        <translation>从未被路由到：没有校准 token</translation>
    </message>
    <message>
        <source>Prior estimate: too few tokens</source>
        <translation>先验估计：token 太少</translation>
    </message>
    <message>
        <source>Not in the probe&apos;s report</source>
        <translation>不在测量报告中</translation>
    </message>
    <message>
        <source>Routed tokens</source>
        <translation>路由 token 数</translation>
    </message>
    <message>
        <source>Routed tokens per layer and expert</source>
        <translation>每层每个专家的路由 token 数</translation>
    </message>
    <message>
        <source>MTP layer %1 · expert %2</source>
        <translation>MTP 第 %1 层 · 专家 %2</translation>
    </message>
    <message>
        <source>Layer %1 · expert %2</source>
        <translation>第 %1 层 · 专家 %2</translation>
    </message>
    <message>
        <source>This layer has no expert %1</source>
        <translation>该层没有专家 %1</translation>
    </message>
    <message>
        <source>Not in the probe&apos;s report: no routed-token count</source>
        <translation>不在测量报告中：没有路由 token 计数</translation>
    </message>
    <message>
        <source>Routed tokens: %1</source>
        <translation>路由 token 数：%1</translation>
    </message>
    <message>
        <source>Never reached: the calibration routed no token to this expert, so its sensitivity is its layer&apos;s prior estimate</source>
        <translation>从未被路由到：校准时没有任何 token 被路由到此专家，因此其敏感度取该层的先验估计</translation>
    </message>
    <message>
        <source>Prior estimate: too few tokens reached it (the probe&apos;s minimum is %1), so it was given its layer&apos;s average sensitivity</source>
        <translation>先验估计：路由到它的 token 太少（测量的最低要求为 %1），因此采用该层的平均敏感度</translation>
    </message>
    <message>
        <source>Measured from its own routed tokens (not a prior estimate)</source>
        <translation>基于路由到它自身的 token 测得（非先验估计）</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s) by %1 expert(s); %2 never reached, %3 prior estimates</source>
        <translation>
            <numerusform>%n 层 × %1 个专家；%2 个从未被路由到，%3 个为先验估计</numerusform>
        </translation>
    </message>
    <message>
        <source>No routed tokens</source>
        <translation>没有路由的 token</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ExpertGridDialog</name>
    <message>
        <source>Routed tokens per expert: %1</source>
        <translation>每个专家的路由 token 数：%1</translation>
    </message>
    <message numerus="yes">
        <source>How many calibration tokens the router sent to each expert (%n layer(s) × %1 experts), on a log scale. An expert few tokens reach is measured poorly: %2 were never reached and %3 got their layer&apos;s average (a prior estimate), so their predicted loss is a guess. Double-click an expert (or press Enter) to see its weights in the Sensitivity tab.</source>
        <translation>
            <numerusform>路由器发送给每个专家的校准 token 数（%n 层 × %1 个专家），采用对数刻度。路由到的 token 很少的专家测量效果较差：%2 个从未被路由到，%3 个采用了该层的平均值（先验估计），因此它们的预测损失只是猜测。双击某个专家（或按 Enter 键）可在“敏感度”选项卡中查看其权重。</numerusform>
        </translation>
    </message>
    <message>
        <source>Click an expert (or use the arrow keys) to see its numbers; hover for a summary.</source>
        <translation>单击某个专家（或使用方向键）可查看其数值；鼠标悬停可查看摘要。</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ExportWizard</name>
    <message>
        <source>Export a checkpoint</source>
        <translation>导出检查点</translation>
    </message>
    <message>
        <source>The recipe</source>
        <translation>量化方案</translation>
    </message>
    <message>
        <source>Each Linear gets the format below: the allocation at the budget chosen on the Pareto curve. The knee is usually the best trade: beyond it, extra bytes buy little quality.</source>
        <translation>每个 Linear 都将使用下方列出的格式，即在 Pareto 曲线上所选预算下的格式分配。拐点通常是最佳折中：超过此处后，增加字节对质量的提升很小。</translation>
    </message>
    <message>
        <source>Use the knee</source>
        <translation>使用拐点</translation>
    </message>
    <message>
        <source>Move the budget to the knee of the Pareto curve</source>
        <translation>将预算移到 Pareto 曲线的拐点</translation>
    </message>
    <message>
        <source>Where to write it</source>
        <translation>保存位置</translation>
    </message>
    <message>
        <source>A new folder for the checkpoint. Nothing is written there until the export is complete; the source model is never modified.</source>
        <translation>用于存放检查点的新文件夹。导出完成之前不会向其中写入任何内容；原始模型始终不会被修改。</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>The checkpoint takes about %1; %2 are free there.</source>
        <translation>检查点约占 %1；该位置有 %2 可用空间。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>正在导出</translation>
    </message>
    <message>
        <source>The command that serves the checkpoint</source>
        <translation>部署此检查点的命令</translation>
    </message>
    <message>
        <source>Copy the command</source>
        <translation>复制命令</translation>
    </message>
    <message>
        <source>No allocation yet: open a run directory and choose a budget first.</source>
        <translation>暂无格式分配：请先打开运行目录并选择预算。</translation>
    </message>
    <message>
        <source>%1
predicted loss increase: %2 nats per token</source>
        <translation>%1
预测损失增量：每 token %2 nats</translation>
    </message>
    <message>
        <source>Done: %1 in %2 (%3 tensors). Serve it with:</source>
        <translation>完成：%1（%2，共 %3 个张量）。可使用以下命令部署：</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message>
        <source>The run is no longer open: open it again and export from there.</source>
        <translation>该运行已不再打开：请重新打开它，再从那里导出。</translation>
    </message>
    <message>
        <source>Export to %1</source>
        <translation>导出到 %1</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>The defaults suit most people; each option says what it changes.</source>
        <translation>默认设置适合大多数人；每个选项都会说明它的作用。</translation>
    </message>
    <message>
        <source>4-bit activations (W4A4)</source>
        <translation>4 比特激活（W4A4）</translation>
    </message>
    <message>
        <source>Each NVFP4 Linear&apos;s inputs are quantized to 4 bits as well: the fastest on GPUs with FP4 arithmetic (NVIDIA Blackwell: RTX 50 series, B200, DGX Spark)</source>
        <translation>每个 NVFP4 Linear 的输入也量化为 4 比特：在支持 FP4 运算的 GPU 上最快（NVIDIA Blackwell：RTX 50 系列、B200、DGX Spark）</translation>
    </message>
    <message>
        <source>16-bit activations (A16)</source>
        <translation>16 比特激活（A16）</translation>
    </message>
    <message>
        <source>The inputs stay in 16 bits and only the weights are 4-bit: a little more accurate, and what GPUs before Blackwell compute anyway</source>
        <translation>输入保持 16 比特，只有权重为 4 比特：精度略高，而且 Blackwell 之前的 GPU 本来就是这样计算的</translation>
    </message>
    <message>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <source>Largest file of the checkpoint</source>
        <translation>检查点的最大文件大小</translation>
    </message>
    <message>
        <source>The checkpoint is split into files of at most this size (model-00001-of-0000N.safetensors), as Hugging Face does</source>
        <translation>检查点会像 Hugging Face 那样拆分为不超过此大小的多个文件（model-00001-of-0000N.safetensors）</translation>
    </message>
    <message>
        <source>NVFP4 Linears:</source>
        <translation>NVFP4 Linear：</translation>
    </message>
    <message>
        <source>File size:</source>
        <translation>文件大小：</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>This is what will be written. Export starts it.</source>
        <translation>以下是将要写出的内容。点击“导出”即开始。</translation>
    </message>
    <message numerus="yes">
        <source>The recipe gives %n Linear(s) NVFP4 with 4-bit activations.</source>
        <translation>
            <numerusform>该方案为 %n 个 Linear 分配了使用 4 比特激活的 NVFP4。</numerusform>
        </translation>
    </message>
    <message>
        <source>The recipe has no NVFP4 Linear with 4-bit activations: nothing to choose.</source>
        <translation>该方案中没有使用 4 比特激活的 NVFP4 Linear：无需选择。</translation>
    </message>
    <message>
        <source>Linears: %1
Size: about %2 in %3 file(s) of at most %4
Folder: %5%6
Also copied from the model folder: its tokenizer, chat template and generation settings, where it has them.
The model folder itself is only read.</source>
        <translation>Linear：%1
大小：约 %2，分为 %3 个文件，每个不超过 %4
文件夹：%5%6
同时从模型文件夹复制（如有）：分词器、聊天模板和生成设置。
模型文件夹本身只会被读取。</translation>
    </message>
    <message>
        <source>Replace an earlier export in this folder</source>
        <translation>替换此文件夹中先前的导出</translation>
    </message>
    <message>
        <source>A folder holding an earlier export (or nothing) is replaced, once the new checkpoint is complete; a folder with other files is always refused, so nothing of yours is lost</source>
        <translation>只包含先前导出内容的文件夹（或空文件夹）会在新检查点完成后被替换；包含其他文件的文件夹始终会被拒绝，因此您的任何文件都不会丢失</translation>
    </message>
    <message>
        <source> (an earlier export there is replaced)</source>
        <translation>（将替换该处先前的导出）</translation>
    </message>
</context>
<context>
    <name>pq::widgets::HeatmapLegend</name>
    <message>
        <source>Δloss, %1</source>
        <translation>Δloss，%1</translation>
    </message>
    <message>
        <source>No costs</source>
        <translation>无代价数据</translation>
    </message>
    <message>
        <source>Mixed</source>
        <translation>混合</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>No allocation</source>
        <translation>未分配</translation>
    </message>
</context>
<context>
    <name>pq::widgets::HeatmapText</name>
    <message>
        <source>MTP %1</source>
        <translation>MTP %1</translation>
    </message>
</context>
<context>
    <name>pq::widgets::InventoryTableModel</name>
    <message>
        <source>%1
Stored in the tensor %2</source>
        <translation>%1
存储于张量 %2</translation>
    </message>
    <message>
        <source>MTP %1</source>
        <comment>layer of the multi-token prediction block</comment>
        <translation>MTP %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Source bytes</source>
        <translation>源字节数</translation>
    </message>
    <message>
        <source>vLLM module</source>
        <translation>vLLM 模块</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>The Linear&apos;s module name in the checkpoint</source>
        <translation>该 Linear 在检查点中的模块名</translation>
    </message>
    <message>
        <source>Decoder layer (MTP: layer of the multi-token prediction block)</source>
        <translation>解码器层（MTP：多 token 预测块中的层）</translation>
    </message>
    <message>
        <source>What the Linear does inside its layer</source>
        <translation>该 Linear 在所在层中的作用</translation>
    </message>
    <message>
        <source>Index of the routed expert (empty for dense and shared Linears)</source>
        <translation>路由专家的编号（稠密 Linear 和共享专家的 Linear 为空）</translation>
    </message>
    <message>
        <source>Weight shape: output features × input features</source>
        <translation>权重形状：输出特征数 × 输入特征数</translation>
    </message>
    <message>
        <source>Number of weights: output features times input features</source>
        <translation>权重数量：输出特征数乘以输入特征数</translation>
    </message>
    <message>
        <source>Size of the weights in the checkpoint&apos;s number format</source>
        <translation>权重按检查点数值格式计算的大小</translation>
    </message>
    <message>
        <source>The module vLLM loads this Linear into</source>
        <translation>vLLM 将此 Linear 加载到的模块</translation>
    </message>
    <message>
        <source>Linears with the same group are fused by vLLM and share one format</source>
        <translation>同一组的 Linear 会被 vLLM 融合，并共用一种格式</translation>
    </message>
    <message>
        <source>Fused group %1 (Linears in it: %2). vLLM loads them as one module, %3, so they share one format.</source>
        <translation>融合组 %1（包含 %2 个 Linear）。vLLM 将它们作为同一个模块 %3 加载，因此它们共用一种格式。</translation>
    </message>
</context>
<context>
    <name>pq::widgets::JobList</name>
    <message>
        <source>cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>剩余约 %1</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
</context>
<context>
    <name>pq::widgets::JobListView</name>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Cancel Job</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>Ask the selected job to stop at its next step</source>
        <translation>请求所选任务在下一步停止</translation>
    </message>
    <message>
        <source>Clear Finished</source>
        <translation>清除已结束的任务</translation>
    </message>
</context>
<context>
    <name>pq::widgets::LinearDetail</name>
    <message>
        <source>The selected Linear: predicted loss increase per format</source>
        <translation>所选 Linear：各格式的预测损失增量</translation>
    </message>
    <message>
        <source>Select a cell to see its predicted loss per format.</source>
        <translation>选择一个单元格，查看它在各格式下的预测损失。</translation>
    </message>
    <message>
        <source>Fisher per output channel</source>
        <translation>各输出通道的 Fisher</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ModelSummaryWidget</name>
    <message>
        <source>Model summary</source>
        <translation>模型概要</translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <source>Profile warning</source>
        <translation>配置档警告</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>架构：</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Profile:</source>
        <translation>配置档：</translation>
    </message>
    <message>
        <source>Tensors from:</source>
        <translation>张量来源：</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <source>Linears:</source>
        <translation>Linear：</translation>
    </message>
    <message>
        <source>Experts (MoE):</source>
        <translation>专家（MoE）：</translation>
    </message>
    <message>
        <source>MTP:</source>
        <translation>MTP：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Parameters and bytes by kind</source>
        <translation>按类别统计的参数量与字节数</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>%1 (model type %2)</source>
        <translation>%1（模型类型 %2）</translation>
    </message>
    <message>
        <source>Multimodal; language model type %1</source>
        <translation>多模态；语言模型类型 %1</translation>
    </message>
    <message>
        <source>sensitivity probe available</source>
        <translation>支持敏感度测量</translation>
    </message>
    <message>
        <source>sensitivity probe not available yet</source>
        <translation>暂不支持敏感度测量</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Generic fallback: no profile knows this architecture, so Llama-style tensor names are assumed. Check the status and the warnings before relying on this model.</source>
        <translation>通用回退：没有任何配置档认识此架构，因此按 Llama 风格的张量名称处理。使用此模型前，请先检查状态和警告。</translation>
    </message>
    <message>
        <source>%1 in %2 tensors · %3 · Linears stored as %4</source>
        <translation>%1，共 %2 个张量 · %3 · Linear 以 %4 存储</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Tensors</source>
        <translation>张量数</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>unknown</source>
        <comment>size not known without weights</comment>
        <translation>未知</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>%1 decoder layers · hidden size %2 · %3 attention heads, %4 key/value heads</source>
        <translation>%1 个解码器层 · 隐藏维度 %2 · %3 个注意力头，%4 个键/值头</translation>
    </message>
    <message>
        <source>Multi-head latent attention (MLA)</source>
        <translation>多头潜在注意力（MLA）</translation>
    </message>
    <message>
        <source>Hybrid attention: %1 linear-attention and %2 full-attention layers</source>
        <translation>混合注意力：%1 个线性注意力层和 %2 个全注意力层</translation>
    </message>
    <message>
        <source>None (dense model)</source>
        <translation>无（稠密模型）</translation>
    </message>
    <message>
        <source>%1 routed experts, %2 active per token, expert width %3</source>
        <translation>%1 个路由专家，每个 token 激活 %2 个，专家宽度 %3</translation>
    </message>
    <message>
        <source>Experts in %1 of %2 layers</source>
        <translation>%2 层中有 %1 层含专家</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>vision tower: %1 tensors</source>
        <translation>视觉塔：%1 个张量</translation>
    </message>
    <message>
        <source>audio tower: %1 tensors</source>
        <translation>音频塔：%1 个张量</translation>
    </message>
    <message>
        <source>multimodal projector: %1 tensors</source>
        <translation>多模态投影器：%1 个张量</translation>
    </message>
    <message>
        <source>A vision or audio tower is declared in config.json, but its tensors are only listed when the weights or the index are present.</source>
        <translation>config.json 中声明了视觉塔或音频塔，但只有在存在权重或索引时才会列出其张量。</translation>
    </message>
    <message>
        <source>These stay in their source precision.</source>
        <translation>这些张量保持原始精度。</translation>
    </message>
    <message>
        <source>quantization_config &quot;%1&quot;</source>
        <translation>quantization_config“%1”</translation>
    </message>
    <message>
        <source>Refused: this checkpoint is already quantized (found %1). Quantizing it again would compound the rounding errors; start from the original BF16 or FP16 release of the model instead.</source>
        <translation>已拒绝：此检查点已经量化过（发现 %1）。再次量化会叠加舍入误差；请改用该模型原始的 BF16 或 FP16 版本。</translation>
    </message>
    <message>
        <source>The Linear weights are stored as %1; only F32, F16 and BF16 weights can be quantized.</source>
        <translation>Linear 权重以 %1 存储；只有 F32、F16 和 BF16 权重可以量化。</translation>
    </message>
    <message>
        <source>Ready: every tensor is classified.</source>
        <translation>就绪：所有张量均已分类。</translation>
    </message>
    <message>
        <source>Vision and audio:</source>
        <translation>视觉与音频：</translation>
    </message>
    <message>
        <source>%1 (fused groups: %2) · %3 parameters · %4</source>
        <translation>%1 个（融合组：%2 个）· 参数 %3 · %4</translation>
    </message>
    <message>
        <source>shared experts: %1</source>
        <translation>共享专家：%1 个</translation>
    </message>
    <message>
        <source>Declared in config.json (blocks: %1), but the checkpoint has no MTP tensors</source>
        <translation>config.json 中声明了 %1 个块，但检查点中没有 MTP 张量</translation>
    </message>
    <message>
        <source>blocks: %1 · tensors: %2</source>
        <translation>%1 个块 · %2 个张量</translation>
    </message>
    <message>
        <source>None (text-only model)</source>
        <translation>无（纯文本模型）</translation>
    </message>
    <message>
        <source>quantization tensors such as %1 (%2 in all)</source>
        <translation>%1 等量化张量（共 %2 个）</translation>
    </message>
    <message>
        <source>Tensors not recognised by the profile %1: %2 (the first is %3). The model cannot be quantized until every tensor is classified.</source>
        <translation>配置档 %1 无法识别的张量：%2 个（第一个是 %3）。在所有张量都完成分类之前，无法量化此模型。</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ModelView</name>
    <message>
        <source>Model view</source>
        <translation>模型视图</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder: the folder with config.json and, usually, the *.safetensors weights. A folder with only config.json works too; PrismaQuant then derives the tensor shapes from the config.</source>
        <translation>请打开一个 Hugging Face 模型文件夹：即包含 config.json、通常还包含 *.safetensors 权重的文件夹。只有 config.json 的文件夹也可以；此时 PrismaQuant 会根据配置推导张量形状。</translation>
    </message>
    <message>
        <source>Loading progress</source>
        <translation>加载进度</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel loading</source>
        <translation>取消加载</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Error details</source>
        <translation>错误详情</translation>
    </message>
    <message>
        <source>Try Again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Filter by name, role or vLLM module, e.g. &quot;layers.3 down&quot;</source>
        <translation>按名称、角色或 vLLM 模块筛选，例如“layers.3 down”</translation>
    </message>
    <message>
        <source>Filter Linears</source>
        <translation>筛选 Linear</translation>
    </message>
    <message>
        <source>Number of Linears shown</source>
        <translation>显示的 Linear 数量</translation>
    </message>
    <message>
        <source>Linears</source>
        <translation>Linear 列表</translation>
    </message>
    <message>
        <source>Reading the model folder
%1</source>
        <translation>正在读取模型文件夹
%1</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <source>The folder %1 has no config.json, so it is not a model folder.</source>
        <translation>文件夹 %1 中没有 config.json，因此不是模型文件夹。</translation>
    </message>
    <message>
        <source>Choose the folder that holds the model&apos;s config.json and, usually, its *.safetensors weights.</source>
        <translation>请选择包含该模型 config.json（通常还有 *.safetensors 权重）的文件夹。</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>详细信息：%1</translation>
    </message>
    <message>
        <source>%1 of %2 Linears</source>
        <translation>%1 / %2 个 Linear</translation>
    </message>
    <message>
        <source>Open Model Directory…</source>
        <translation>打开模型目录…</translation>
    </message>
    <message>
        <source>Open model directory</source>
        <translation>打开模型目录</translation>
    </message>
    <message>
        <source>Open Another Directory…</source>
        <translation>打开其他目录…</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ParetoChart</name>
    <message>
        <source>Pareto curve: predicted quality loss against model size</source>
        <translation>Pareto 曲线：预测的质量损失与模型大小的关系</translation>
    </message>
    <message>
        <source>Click or drag to choose the size budget; Left and Right step between the recipes on the curve.</source>
        <translation>单击或拖动以选择大小预算；按左、右方向键可在曲线上的各个方案之间切换。</translation>
    </message>
    <message>
        <source>%1 bits per Linear parameter · %2
predicted loss increase: %3 nats per token
%4</source>
        <translation>每个 Linear 参数 %1 比特 · %2
预测损失增量：每 token %3 nats
%4</translation>
    </message>
    <message>
        <source>the knee: beyond it, extra bytes buy little quality</source>
        <translation>拐点：超过此处后，增加字节对质量的提升很小</translation>
    </message>
    <message>
        <source>No curve yet: open a run directory with probe results.</source>
        <translation>暂无曲线：请打开包含敏感度测量结果的运行目录。</translation>
    </message>
    <message>
        <source>bits per Linear parameter</source>
        <translation>每个 Linear 参数的比特数</translation>
    </message>
    <message>
        <source>predicted Δloss (nats/token)</source>
        <translation>预测 Δloss（nats/token）</translation>
    </message>
    <message>
        <source>knee</source>
        <translation>拐点</translation>
    </message>
    <message>
        <source>budget %1 · %2 bpp</source>
        <translation>预算 %1 · %2 bpp</translation>
    </message>
    <message>
        <source>recipes the allocator can make (predicted)</source>
        <translation>分配器可生成的方案（预测）</translation>
    </message>
    <message>
        <source>one format for every Linear (predicted)</source>
        <translation>所有 Linear 使用同一种格式（预测）</translation>
    </message>
    <message>
        <source>measured on held-out text (KL against the original)</source>
        <translation>在留出文本上实测（相对原始模型的 KL）</translation>
    </message>
    <message>
        <source>%1 — measured
%2 bits per Linear parameter · %3
KL against the original: %4 nats per token
perplexity %5</source>
        <translation>%1 — 实测
每个 Linear 参数 %2 比特 · %3
相对原始模型的 KL：每 token %4 nats
困惑度 %5</translation>
    </message>
    <message>
        <source>predicted Δloss at this size: %1</source>
        <translation>此大小下的预测 Δloss：%1</translation>
    </message>
    <message>
        <source>every Linear in %1 (predicted)
%2 bits per Linear parameter · %3
predicted loss increase: %4 nats per token</source>
        <translation>所有 Linear 均为 %1（预测）
每个 Linear 参数 %2 比特 · %3
预测损失增量：每 token %4 nats</translation>
    </message>
    <message numerus="yes">
        <source>%n Linear(s) stay BF16: their fused group cannot take the format</source>
        <translation>
            <numerusform>%n 个 Linear 保持 BF16：其融合组无法采用该格式</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pq::widgets::ParetoView</name>
    <message>
        <source>Allocation at the chosen budget</source>
        <translation>所选预算下的格式分配</translation>
    </message>
    <message>
        <source>Reading the run…</source>
        <translation>正在读取运行结果…</translation>
    </message>
    <message>
        <source>%1 · predicted loss increase %2 nats per token</source>
        <translation>%1 · 预测损失增量：每 token %2 nats</translation>
    </message>
    <message>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <source>GPU memory</source>
        <translation>GPU 显存</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>Move the budget to the largest recipe whose weights, KV cache for this context and about 1.5 GiB of runtime fit the GPU</source>
        <translation>将预算移到最大的方案：其权重、该上下文的 KV 缓存以及约 1.5 GiB 运行时开销都能放进 GPU</translation>
    </message>
    <message>
        <source>Fits my GPU:</source>
        <translation>适配我的 GPU：</translation>
    </message>
    <message>
        <source>at</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Even the smallest recipe (%1) needs more: %2 are left for the weights.</source>
        <translation>即使最小的方案（%1）也放不下：留给权重的只有 %2。</translation>
    </message>
    <message>
        <source>%1 left for the weights (hover for the arithmetic)</source>
        <translation>留给权重 %1（悬停查看计算过程）</translation>
    </message>
    <message>
        <source>The measured evaluations could not be read: %1</source>
        <translation>无法读取实测评估结果：%1</translation>
    </message>
    <message>
        <source>× </source>
        <translation>× </translation>
    </message>
    <message>
        <source>Sequences at once</source>
        <translation>同时处理的序列数</translation>
    </message>
    <message>
        <source>How many conversations the server runs at once: each keeps its own KV cache of the context&apos;s length</source>
        <translation>服务器同时运行的对话数：每个对话都有自己的 KV 缓存，长度为上下文长度</translation>
    </message>
    <message>
        <source>KV cache BF16</source>
        <translation>KV 缓存 BF16</translation>
    </message>
    <message>
        <source>KV cache FP8</source>
        <translation>KV 缓存 FP8</translation>
    </message>
    <message>
        <source>KV cache type</source>
        <translation>KV 缓存类型</translation>
    </message>
    <message>
        <source>FP8 halves the memory the KV cache takes (vllm serve --kv-cache-dtype fp8)</source>
        <translation>FP8 可将 KV 缓存占用的显存减半（vllm serve --kv-cache-dtype fp8）</translation>
    </message>
</context>
<context>
    <name>pq::widgets::PinPatternDialog</name>
    <message>
        <source>Pin Matching Linears</source>
        <translation>固定匹配的 Linear</translation>
    </message>
    <message>
        <source>Every Linear whose name contains a match of the pattern gets the format, whatever the budget. The pattern is a regular expression: &lt;code&gt;down_proj&lt;/code&gt; matches every down projection, &lt;code&gt;layers\.(0|1)\.&lt;/code&gt; the first two layers.</source>
        <translation>名称中包含该模式匹配项的每个 Linear 都使用该格式，无论预算如何。模式是一个正则表达式：&lt;code&gt;down_proj&lt;/code&gt; 匹配所有下投影，&lt;code&gt;layers\.(0|1)\.&lt;/code&gt; 匹配前两层。</translation>
    </message>
    <message>
        <source>Pattern of Linear names</source>
        <translation>Linear 名称的模式</translation>
    </message>
    <message>
        <source>Format to pin to</source>
        <translation>要固定为的格式</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>固定</translation>
    </message>
    <message>
        <source>&amp;Pattern:</source>
        <translation>模式(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>格式(&amp;F)：</translation>
    </message>
    <message>
        <source>Not a valid pattern: %1</source>
        <translation>无效的模式：%1</translation>
    </message>
    <message>
        <source>Type a pattern.</source>
        <translation>请输入模式。</translation>
    </message>
    <message>
        <source>Matches no Linear.</source>
        <translation>没有匹配的 Linear。</translation>
    </message>
    <message>
        <source>%1 cannot store %2 (its shape does not fit the format&apos;s groups): narrow the pattern or pick another format.</source>
        <translation>%1 无法存储 %2（其形状与该格式的分组不符）：请缩小模式范围或选择其他格式。</translation>
    </message>
    <message numerus="yes">
        <source>Matches %n Linear(s): %1</source>
        <translation>
            <numerusform>匹配 %n 个 Linear：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 cannot be exported: vLLM has no loader for it.</source>
        <translation>%1 无法导出：vLLM 没有适用于它的加载器。</translation>
    </message>
    <message>
        <source>%1 is pinned to %2 already (pin %3): remove that pin first.</source>
        <translation>%1 已被固定为 %2（固定模式 %3）：请先移除该固定。</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ProbeView</name>
    <message>
        <source>Open a model folder first.</source>
        <translation>请先打开一个模型文件夹。</translation>
    </message>
    <message>
        <source>.txt or .jsonl text (optionally .gz), or a folder of them</source>
        <translation>.txt 或 .jsonl 文本（可用 .gz 压缩），或包含此类文件的文件夹</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Text (*.txt *.txt.gz *.jsonl *.jsonl.gz);;All files (*)</source>
        <translation>文本文件 (*.txt *.txt.gz *.jsonl *.jsonl.gz);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Run directory</source>
        <translation>运行目录</translation>
    </message>
    <message>
        <source>Calibration windows: more give steadier measurements and take longer (the probe&apos;s time grows with samples × length)</source>
        <translation>校准窗口：窗口越多，测量结果越稳定，但耗时也越长（测量时间随样本数 × 长度增长）</translation>
    </message>
    <message>
        <source>Tokens per window</source>
        <translation>每个窗口的 token 数</translation>
    </message>
    <message>
        <source>Windows kept apart for evaluating the result, never measured on</source>
        <translation>留作评估结果的窗口，不参与测量</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Calibration text:</source>
        <translation>校准文本：</translation>
    </message>
    <message>
        <source>Run directory:</source>
        <translation>运行目录：</translation>
    </message>
    <message>
        <source>Samples:</source>
        <translation>样本数：</translation>
    </message>
    <message>
        <source>Tokens per sample:</source>
        <translation>每个样本的 token 数：</translation>
    </message>
    <message>
        <source>Held-out samples:</source>
        <translation>留出样本数：</translation>
    </message>
    <message>
        <source>Run the probe</source>
        <translation>开始测量</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The probe&apos;s log</source>
        <translation>测量日志</translation>
    </message>
    <message>
        <source>Choose the model, a calibration text and the run directory first.</source>
        <translation>请先选择模型、校准文本和运行目录。</translation>
    </message>
    <message>
        <source>Done: %1 Linears measured on %2 tokens (mean loss %3). Results in %4.</source>
        <translation>完成：已在 %2 个 token 上测量 %1 个 Linear（平均损失 %3）。结果位于 %4。</translation>
    </message>
    <message>
        <source>Cancelled. Running again continues where it stopped.</source>
        <translation>已取消。再次运行将从中断处继续。</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Cancelling at the next layer…</source>
        <translation>正在取消，将在下一层处停止…</translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>，剩余约 %1</translation>
    </message>
    <message>
        <source>%1: %2 of %3%4</source>
        <translation>%1：%2 / %3%4</translation>
    </message>
    <message>
        <source>Bundled Text</source>
        <translation>内置文本</translation>
    </message>
    <message>
        <source>The King James Bible that comes with PrismaQuant (public domain): fine for trying things out; text like what the model will see in use measures better</source>
        <translation>PrismaQuant 自带的钦定版圣经（公有领域）：适合试用；与模型实际使用时所见文本相近的文本，测量效果更好</translation>
    </message>
    <message>
        <source>Probe %1</source>
        <translation>测量 %1</translation>
    </message>
    <message>
        <source>Device the probe runs on</source>
        <translation>运行测量的设备</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <source>This build&apos;s libtorch has no CUDA, or no GPU is visible</source>
        <translation>此版本的 libtorch 不支持 CUDA，或者检测不到 GPU</translation>
    </message>
    <message>
        <source>The GPU computes in bfloat16 and is much faster on large models; the CPU computes in float32</source>
        <translation>GPU 以 bfloat16 计算，在大模型上快得多；CPU 以 float32 计算</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Checking for a GPU…</source>
        <translation>正在检测 GPU…</translation>
    </message>
</context>
<context>
    <name>pq::widgets::SensitivityHeatmap</name>
    <message>
        <source>Sensitivity heatmap</source>
        <translation>敏感度热力图</translation>
    </message>
    <message>
        <source>MTP layer %1 · %2</source>
        <translation>MTP 第 %1 层 · %2</translation>
    </message>
    <message>
        <source>Layer %1 · %2</source>
        <translation>第 %1 层 · %2</translation>
    </message>
    <message>
        <source>No Linear of this role in this layer</source>
        <translation>该层中没有此角色的 Linear</translation>
    </message>
    <message numerus="yes">
        <source>%n Linear(s) across %1 experts</source>
        <translation>
            <numerusform>%n 个 Linear，分布在 %1 个专家中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Linear(s)</source>
        <translation>
            <numerusform>%n 个 Linear</numerusform>
        </translation>
    </message>
    <message>
        <source>Parameters: %1</source>
        <translation>参数：%1</translation>
    </message>
    <message>
        <source>No predicted Δloss</source>
        <translation>无预测 Δloss</translation>
    </message>
    <message>
        <source>Predicted Δloss:</source>
        <translation>预测 Δloss：</translation>
    </message>
    <message>
        <source>Chosen format: %1</source>
        <translation>选定格式：%1</translation>
    </message>
    <message>
        <source>Chosen format: mixed</source>
        <translation>选定格式：混合</translation>
    </message>
    <message>
        <source>Chosen format: none</source>
        <translation>选定格式：无</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s) by %1 Linear role(s); no cell selected</source>
        <translation>
            <numerusform>%n 层 × %1 种 Linear 角色；未选中单元格</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pq::widgets::SensitivityView</name>
    <message>
        <source>Predicted loss increase of a format</source>
        <translation>某种格式的预测损失增量</translation>
    </message>
    <message>
        <source>Format chosen at the budget</source>
        <translation>预算下选定的格式</translation>
    </message>
    <message>
        <source>Colour the cells by</source>
        <translation>单元格着色依据</translation>
    </message>
    <message>
        <source>Format whose predicted loss increase colours the cells</source>
        <translation>按其预测损失增量为单元格着色的格式</translation>
    </message>
    <message>
        <source>Colour by:</source>
        <translation>着色依据：</translation>
    </message>
    <message>
        <source>Click a cell (or use the arrow keys) to see its numbers; hover for a summary.</source>
        <translation>单击单元格（或使用方向键）可查看其数值；鼠标悬停可查看摘要。</translation>
    </message>
    <message>
        <source>No Linear of this role here.</source>
        <translation>此处没有此角色的 Linear。</translation>
    </message>
    <message>
        <source>%1 (chosen at the budget)</source>
        <translation>%1（预算下选定）</translation>
    </message>
    <message>
        <source>%1 (colouring the map)</source>
        <translation>%1（用于热力图着色）</translation>
    </message>
    <message>
        <source>BF16 (%1 cannot store this shape)</source>
        <translation>BF16（%1 无法存储此形状）</translation>
    </message>
    <message>
        <source>%1 in %2; expert %3 of the layer&apos;s %4</source>
        <translation>%1 采用 %2；专家 %3（该层共 %4 个）</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 采用 %2</translation>
    </message>
</context>
<context>
    <name>pq::widgets::WeightHistogramView</name>
    <message>
        <source>Histogram of the selected Linear&apos;s weights</source>
        <translation>所选 Linear 的权重直方图</translation>
    </message>
    <message>
        <source>Reading the weights of %1…</source>
        <translation>正在读取 %1 的权重…</translation>
    </message>
    <message>
        <source>Could not read the weights of %1. %2 %3</source>
        <translation>无法读取 %1 的权重。%2 %3</translation>
    </message>
    <message>
        <source>Select a Linear to see a histogram of its weights.</source>
        <translation>选择一个 Linear 即可查看其权重直方图。</translation>
    </message>
    <message>
        <source>Across: each weight&apos;s value. %1 stores weights unchanged, so nothing is rounded. Up: how many weights (log scale).</source>
        <translation>横轴：每个权重的值。%1 按原样存储权重，因此不做任何舍入。纵轴：权重数量（对数刻度）。</translation>
    </message>
    <message>
        <source>the scale of its output row (%1 keeps one scale per row)</source>
        <translation>其输出行的缩放因子（%1 每行保存一个缩放因子）</translation>
    </message>
    <message>
        <source>the scale of its group (%1 keeps one scale per %2 weights)</source>
        <translation>其所在组的缩放因子（%1 每 %2 个权重保存一个缩放因子）</translation>
    </message>
    <message>
        <source>Across: each weight divided by %1. The marks below are the only values %2 can store; every weight is rounded to the nearest mark, and weights past the end marks are cut to them. Up: how many weights (log scale).</source>
        <translation>横轴：每个权重除以%1。下方的刻度线是 %2 能存储的全部取值；每个权重都会舍入到最近的刻度线，超出两端刻度线的权重会被截断到端点。纵轴：权重数量（对数刻度）。</translation>
    </message>
    <message>
        <source>%1 weights · largest |weight| %2</source>
        <translation>%1 个权重 · 最大 |权重| %2</translation>
    </message>
    <message>
        <source>%1 weights · largest |value| %2 · %3 beyond the end marks</source>
        <translation>%1 个权重 · 最大 |值| %2 · %3 个超出两端刻度线</translation>
    </message>
</context>
<context>
    <name>pq::widgets::WelcomePage</name>
    <message>
        <source>Welcome page</source>
        <translation>欢迎页</translation>
    </message>
    <message>
        <source>Welcome to PrismaQuant Studio</source>
        <translation>欢迎使用 PrismaQuant Studio</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Open the Demo Model</source>
        <translation>打开演示模型</translation>
    </message>
    <message>
        <source>Open the demo model</source>
        <translation>打开演示模型</translation>
    </message>
    <message>
        <source>Open a Model Folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>A Hugging Face model folder: the one with config.json and the *.safetensors weights.</source>
        <translation>Hugging Face 模型文件夹：包含 config.json 和 *.safetensors 权重的文件夹。</translation>
    </message>
    <message>
        <source>Open a model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Open a Run Folder…</source>
        <translation>打开运行文件夹…</translation>
    </message>
    <message>
        <source>A folder written by prismaquant run or prismaquant probe: its sensitivities, Pareto curve and allocation.</source>
        <translation>由 prismaquant run 或 prismaquant probe 写出的文件夹：其中的敏感度、Pareto 曲线和格式分配。</translation>
    </message>
    <message>
        <source>Open a run folder</source>
        <translation>打开运行文件夹</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近打开</translation>
    </message>
    <message>
        <source>The folders you open are listed here.</source>
        <translation>您打开过的文件夹会列在这里。</translation>
    </message>
    <message>
        <source>The demo model is not part of this installation.</source>
        <translation>此安装不包含演示模型。</translation>
    </message>
    <message>
        <source>A small Llama (4 million parameters) trained for this project and shipped with it: a real model to look around with.</source>
        <translation>一个为本项目训练并随附的小型 Llama（400 万参数）：一个可以随意探索的真实模型。</translation>
    </message>
    <message>
        <source>Open recent folder %1</source>
        <translation>打开最近的文件夹 %1</translation>
    </message>
    <message>
        <source>PrismaQuant makes a large language model smaller without guessing where it hurts. It measures how much each layer of the model minds being stored in fewer bits, then picks a number format for every layer (NVFP4, MXFP8, BF16…) so that the whole model fits the size you can afford with the least loss of quality. The Studio shows that trade-off as a curve you can steer, shows which layers are sensitive and why, and exports the chosen mix as a checkpoint that vLLM serves.</source>
        <translation>PrismaQuant 能让大语言模型变小，而无需猜测哪里会受损。它测量模型每一层对以更少比特存储的敏感程度，再为每一层选择数值格式（NVFP4、MXFP8、BF16…），使整个模型以最小的质量损失符合您能承受的大小。Studio 将这种权衡显示为一条可调节的曲线，展示哪些层敏感及其原因，并将所选的格式组合导出为可用 vLLM 部署的检查点。</translation>
    </message>
    <message>
        <source>Open a model and measure it on the Probe tab, or open a run folder the prismaquant command line wrote (prismaquant run or probe, also on another machine).</source>
        <translation>打开一个模型并在“测量”选项卡中进行测量，或者打开由 prismaquant 命令行工具写出的运行文件夹（prismaquant run 或 probe，也可以在另一台机器上运行）。</translation>
    </message>
    <message>
        <source>This build cannot measure (it has no libtorch): measure with the prismaquant command line (prismaquant run or probe) and open the run folder it writes to see the results here.</source>
        <translation>此版本无法测量（不含 libtorch）：请使用 prismaquant 命令行工具（prismaquant run 或 probe）进行测量，然后打开它写出的运行文件夹，即可在此查看结果。</translation>
    </message>
</context>
</TS>
