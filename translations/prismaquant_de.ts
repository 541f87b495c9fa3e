<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>main</name>
    <message>
        <source>PrismaQuant Studio: mixed-precision quantization of large language models.</source>
        <translation>PrismaQuant Studio: Quantisierung großer Sprachmodelle mit gemischter Genauigkeit.</translation>
    </message>
    <message>
        <source>Model folder to open (the one with config.json), or a run directory of the prismaquant command line.</source>
        <translation>Zu öffnender Modellordner (der mit der config.json) oder ein Laufverzeichnis der prismaquant-Kommandozeile.</translation>
    </message>
    <message>
        <source>Save every view of the run as PNG into the folder, then quit.</source>
        <translation>Jede Ansicht des Laufs als PNG in den Ordner speichern und dann beenden.</translation>
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
        <translation>Modellverzeichnis ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (the one with config.json)</source>
        <translation>Einen Hugging-Face-Modellordner öffnen (den mit der config.json)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;About PrismaQuant Studio</source>
        <translation>Ü&amp;ber PrismaQuant Studio</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Model in one line</source>
        <translation>Modell in einer Zeile</translation>
    </message>
    <message>
        <source>Open a model folder to begin (File ▸ Open Model Directory).</source>
        <translation>Öffnen Sie zum Beginnen einen Modellordner (Datei ▸ Modellverzeichnis öffnen).</translation>
    </message>
    <message>
        <source>Open Model Directory</source>
        <translation>Modellverzeichnis öffnen</translation>
    </message>
    <message>
        <source>About PrismaQuant Studio</source>
        <translation>Über PrismaQuant Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;PrismaQuant Studio %1&lt;/h3&gt;&lt;p&gt;Sensitivity-driven mixed-precision quantization of large language models: measure how much each layer minds being quantized, then choose a number format per layer for the size you can afford.&lt;/p&gt;&lt;p&gt;Built with Qt %2. Licensed under the MIT licence.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;PrismaQuant Studio %1&lt;/h3&gt;&lt;p&gt;Sensitivitätsgesteuerte Quantisierung großer Sprachmodelle mit gemischter Genauigkeit: Messen Sie, wie empfindlich jede Schicht auf Quantisierung reagiert, und wählen Sie dann für jede Schicht ein Zahlenformat, passend zu der Größe, die Sie sich leisten können.&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2. Lizenziert unter der MIT-Lizenz.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <source>%1 — PrismaQuant Studio</source>
        <translation>%1 — PrismaQuant Studio</translation>
    </message>
    <message>
        <source>%1 · %2 Linears · %3 parameters · %4</source>
        <translation>%1 · %2 Linears · %3 Parameter · %4</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <source>Could not open %1</source>
        <translation>%1 konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Pareto</source>
        <translation>Pareto</translation>
    </message>
    <message>
        <source>Size against predicted quality: open a run directory of the prismaquant command line to see it</source>
        <translation>Größe gegenüber vorhergesagter Qualität: Öffnen Sie ein Laufverzeichnis der prismaquant-Kommandozeile, um diese Ansicht zu sehen</translation>
    </message>
    <message>
        <source>Sensitivity</source>
        <translation>Sensitivität</translation>
    </message>
    <message>
        <source>Which layers mind quantization, and which format each one got: open a run directory of the prismaquant command line to see it</source>
        <translation>Welche Schichten empfindlich auf Quantisierung reagieren und welches Format jede erhalten hat: Öffnen Sie ein Laufverzeichnis der prismaquant-Kommandozeile, um diese Ansicht zu sehen</translation>
    </message>
    <message>
        <source>The run&apos;s results could not be read: %1</source>
        <translation>Die Ergebnisse des Laufs konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>The allocation at the chosen budget</source>
        <translation>Die Zuteilung beim gewählten Budget</translation>
    </message>
    <message>
        <source>Allocation</source>
        <translation>Zuteilung</translation>
    </message>
    <message>
        <source>Every Linear with the format it gets at the chosen budget</source>
        <translation>Jedes Linear mit dem Format, das es beim gewählten Budget erhält</translation>
    </message>
    <message>
        <source>&amp;Export Checkpoint…</source>
        <translation>&amp;Checkpoint exportieren…</translation>
    </message>
    <message>
        <source>Write the allocation at the chosen budget as a checkpoint vLLM serves</source>
        <translation>Die Zuteilung beim gewählten Budget als Checkpoint schreiben, den vLLM bereitstellen kann</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>Messung</translation>
    </message>
    <message>
        <source>Measure how much each Linear minds each format, on a text</source>
        <translation>Anhand eines Textes messen, wie empfindlich jedes Linear auf jedes Format reagiert</translation>
    </message>
    <message>
        <source>The budget could not be kept in the run directory: %1</source>
        <translation>Das Budget konnte nicht im Laufverzeichnis gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Run Directory…</source>
        <translation>&amp;Laufverzeichnis öffnen…</translation>
    </message>
    <message>
        <source>Open Run</source>
        <translation>Lauf öffnen</translation>
    </message>
    <message>
        <source>Open a folder written by prismaquant run or probe: its model and results</source>
        <translation>Einen von prismaquant run oder probe geschriebenen Ordner öffnen: sein Modell und seine Ergebnisse</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>E&amp;valuate at This Budget</source>
        <translation>Bei diesem Budget be&amp;werten</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>Bewerten</translation>
    </message>
    <message>
        <source>Measure the recipe at the chosen budget on the text the probe kept apart</source>
        <translation>Das Rezept beim gewählten Budget auf dem Text messen, den die Messung zurückgehalten hat</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>Main Toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>The running job</source>
        <translation>Der laufende Auftrag</translation>
    </message>
    <message>
        <source>Progress of the running job</source>
        <translation>Fortschritt des laufenden Auftrags</translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation>Den laufenden Auftrag abbrechen</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>Not a Run Directory</source>
        <translation>Kein Laufverzeichnis</translation>
    </message>
    <message>
        <source>%1 is not a run directory: it holds neither run.json nor sensitivity.json.</source>
        <translation>%1 ist kein Laufverzeichnis: Es enthält weder run.json noch sensitivity.json.</translation>
    </message>
    <message>
        <source>Run directories are the folders that prismaquant run and prismaquant probe write. To look at a model folder, use File ▸ Open Model Directory.</source>
        <translation>Laufverzeichnisse sind die Ordner, die prismaquant run und prismaquant probe schreiben. Um einen Modellordner anzusehen, verwenden Sie Datei ▸ Modellverzeichnis öffnen.</translation>
    </message>
    <message>
        <source>Open Run Directory</source>
        <translation>Laufverzeichnis öffnen</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The new language takes effect the next time PrismaQuant Studio starts.</source>
        <translation>Die neue Sprache wird beim nächsten Start von PrismaQuant Studio wirksam.</translation>
    </message>
</context>
<context>
    <name>pq::gui::RecentMenu</name>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;%1 %2</source>
        <translation>&amp;%1 %2</translation>
    </message>
    <message>
        <source>&amp;Clear Menu</source>
        <translation>Menü &amp;leeren</translation>
    </message>
</context>
<context>
    <name>pq::widgets::AllocationTableModel</name>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>Linear</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>Predicted Δloss</source>
        <translation>Vorhergesagter Δloss</translation>
    </message>
    <message>
        <source>The number format the allocation gives this Linear at the chosen budget</source>
        <translation>Das Zahlenformat, das die Zuteilung diesem Linear beim gewählten Budget zuweist</translation>
    </message>
    <message>
        <source>What the Linear&apos;s weights take in that format, scales included</source>
        <translation>Speicherbedarf der Gewichte des Linears in diesem Format, einschließlich der Skalierungsfaktoren</translation>
    </message>
    <message>
        <source>How much the model&apos;s loss is predicted to rise (nats per token) when this Linear is stored in that format; 0 for BF16, the source precision</source>
        <translation>Um wie viel der Loss des Modells laut Vorhersage steigt (nats pro Token), wenn dieses Linear in diesem Format gespeichert wird; 0 für BF16, die Ausgangsgenauigkeit</translation>
    </message>
    <message>
        <source>pinned</source>
        <translation>fixiert</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>Fixiert</translation>
    </message>
    <message>
        <source>Pinned Linears keep the format you chose at every budget (right-click a row to pin or unpin it)</source>
        <translation>Fixierte Linears behalten bei jedem Budget das von Ihnen gewählte Format (Rechtsklick auf eine Zeile, um sie zu fixieren oder freizugeben)</translation>
    </message>
</context>
<context>
    <name>pq::widgets::AllocationView</name>
    <message>
        <source>Filter by name, role or format (e.g. &quot;down NVFP4&quot;)</source>
        <translation>Nach Name, Rolle oder Format filtern (z. B. „down NVFP4“)</translation>
    </message>
    <message>
        <source>Filter the Linears</source>
        <translation>Linears filtern</translation>
    </message>
    <message>
        <source>Linears with their formats</source>
        <translation>Linears mit ihren Formaten</translation>
    </message>
    <message>
        <source>%1: %2 Linears, %3</source>
        <translation>%1: %2 Linears, %3</translation>
    </message>
    <message>
        <source>%1 · predicted loss increase %2 nats per token
%3</source>
        <translation>%1 · vorhergesagter Loss-Anstieg %2 nats pro Token
%3</translation>
    </message>
    <message>
        <source>Pin to</source>
        <translation>Fixieren auf</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Pin Matching…</source>
        <translation>Nach Muster fixieren…</translation>
    </message>
    <message>
        <source>Remove Pattern Pin</source>
        <translation>Musterfixierung entfernen</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Why the last pin was not made</source>
        <translation>Warum die letzte Fixierung nicht vorgenommen wurde</translation>
    </message>
    <message>
        <source>Not pinned: %1</source>
        <translation>Nicht fixiert: %1</translation>
    </message>
</context>
<context>
    <name>pq::widgets::DisplayText</name>
    <message>
        <source>Attention query projection</source>
        <translation>Attention: Query-Projektion</translation>
    </message>
    <message>
        <source>Attention key projection</source>
        <translation>Attention: Key-Projektion</translation>
    </message>
    <message>
        <source>Attention value projection</source>
        <translation>Attention: Value-Projektion</translation>
    </message>
    <message>
        <source>Attention output projection</source>
        <translation>Attention: Ausgabeprojektion</translation>
    </message>
    <message>
        <source>Attention query down-projection (latent attention)</source>
        <translation>Attention: Query-Abwärtsprojektion (Latent Attention)</translation>
    </message>
    <message>
        <source>Attention query up-projection (latent attention)</source>
        <translation>Attention: Query-Aufwärtsprojektion (Latent Attention)</translation>
    </message>
    <message>
        <source>Attention key/value down-projection (latent attention)</source>
        <translation>Attention: Key/Value-Abwärtsprojektion (Latent Attention)</translation>
    </message>
    <message>
        <source>Attention key/value up-projection (latent attention)</source>
        <translation>Attention: Key/Value-Aufwärtsprojektion (Latent Attention)</translation>
    </message>
    <message>
        <source>Linear attention query/key/value input projection</source>
        <translation>Lineare Attention: Query/Key/Value-Eingangsprojektion</translation>
    </message>
    <message>
        <source>Linear attention output-gate input projection</source>
        <translation>Lineare Attention: Eingangsprojektion für das Ausgabe-Gate</translation>
    </message>
    <message>
        <source>Linear attention decay input projection</source>
        <translation>Lineare Attention: Eingangsprojektion für den Zerfall</translation>
    </message>
    <message>
        <source>Linear attention write-strength input projection</source>
        <translation>Lineare Attention: Eingangsprojektion für die Schreibstärke</translation>
    </message>
    <message>
        <source>Linear attention output projection</source>
        <translation>Lineare Attention: Ausgabeprojektion</translation>
    </message>
    <message>
        <source>MLP gate projection</source>
        <translation>MLP: Gate-Projektion</translation>
    </message>
    <message>
        <source>MLP up projection</source>
        <translation>MLP: Up-Projektion</translation>
    </message>
    <message>
        <source>MLP down projection</source>
        <translation>MLP: Down-Projektion</translation>
    </message>
    <message>
        <source>Routed expert gate projection</source>
        <translation>Gerouteter Experte: Gate-Projektion</translation>
    </message>
    <message>
        <source>Routed expert up projection</source>
        <translation>Gerouteter Experte: Up-Projektion</translation>
    </message>
    <message>
        <source>Routed expert down projection</source>
        <translation>Gerouteter Experte: Down-Projektion</translation>
    </message>
    <message>
        <source>Shared expert gate projection</source>
        <translation>Geteilter Experte: Gate-Projektion</translation>
    </message>
    <message>
        <source>Shared expert up projection</source>
        <translation>Geteilter Experte: Up-Projektion</translation>
    </message>
    <message>
        <source>Shared expert down projection</source>
        <translation>Geteilter Experte: Down-Projektion</translation>
    </message>
    <message>
        <source>Multi-token prediction input projection</source>
        <translation>Multi-Token-Vorhersage: Eingangsprojektion</translation>
    </message>
    <message>
        <source>Linear layers</source>
        <translation>Linear-Schichten</translation>
    </message>
    <message>
        <source>Token embeddings</source>
        <translation>Token-Embeddings</translation>
    </message>
    <message>
        <source>Output head</source>
        <translation>Ausgabekopf</translation>
    </message>
    <message>
        <source>Norms</source>
        <translation>Normalisierungen</translation>
    </message>
    <message>
        <source>Routers</source>
        <translation>Router</translation>
    </message>
    <message>
        <source>Biases</source>
        <translation>Bias-Terme</translation>
    </message>
    <message>
        <source>Kept as is</source>
        <translation>Unverändert übernommen</translation>
    </message>
    <message>
        <source>Quantization data</source>
        <translation>Quantisierungsdaten</translation>
    </message>
    <message>
        <source>Not recognised</source>
        <translation>Nicht erkannt</translation>
    </message>
    <message>
        <source>Weights (read from the safetensors headers)</source>
        <translation>Gewichte (aus den safetensors-Headern gelesen)</translation>
    </message>
    <message>
        <source>Index and config.json (no weights present; shapes derived from the config)</source>
        <translation>Index und config.json (keine Gewichte vorhanden; Formen aus der Konfiguration abgeleitet)</translation>
    </message>
    <message>
        <source>config.json only (shapes derived from the config)</source>
        <translation>nur config.json (Formen aus der Konfiguration abgeleitet)</translation>
    </message>
    <message>
        <source>%L1 B</source>
        <comment>billions of parameters</comment>
        <translation>%L1 Mrd.</translation>
    </message>
    <message>
        <source>%L1 M</source>
        <comment>millions of parameters</comment>
        <translation>%L1 Mio.</translation>
    </message>
    <message>
        <source>%L1 k</source>
        <comment>thousands of parameters</comment>
        <translation>%L1 Tsd.</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ErrorText</name>
    <message>
        <source>A file could not be read or written.</source>
        <translation>Eine Datei konnte nicht gelesen oder geschrieben werden.</translation>
    </message>
    <message>
        <source>A file that is needed is missing.</source>
        <translation>Eine benötigte Datei fehlt.</translation>
    </message>
    <message>
        <source>A file is damaged or not in the expected format.</source>
        <translation>Eine Datei ist beschädigt oder hat nicht das erwartete Format.</translation>
    </message>
    <message>
        <source>A value is out of range or inconsistent.</source>
        <translation>Ein Wert liegt außerhalb des gültigen Bereichs oder ist widersprüchlich.</translation>
    </message>
    <message>
        <source>This model uses something PrismaQuant cannot handle yet.</source>
        <translation>Dieses Modell verwendet etwas, das PrismaQuant noch nicht verarbeiten kann.</translation>
    </message>
    <message>
        <source>This model is already quantized.</source>
        <translation>Dieses Modell ist bereits quantisiert.</translation>
    </message>
    <message>
        <source>A file points outside the model folder, so it was not opened.</source>
        <translation>Eine Datei verweist auf einen Ort außerhalb des Modellordners und wurde deshalb nicht geöffnet.</translation>
    </message>
    <message>
        <source>The job was cancelled.</source>
        <translation>Der Auftrag wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The disk is full.</source>
        <translation>Der Datenträger ist voll.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong.</source>
        <translation>Etwas Unerwartetes ist schiefgegangen.</translation>
    </message>
</context>
<context>
    <name>pq::widgets::EvaluateBar</name>
    <message>
        <source>&amp;Evaluate</source>
        <translation>&amp;Bewerten</translation>
    </message>
    <message>
        <source>Measure the recipe at this budget on the text the probe kept apart: how far its predictions drift from the original model&apos;s (KL divergence). The first evaluation also measures each single-format baseline.</source>
        <translation>Das Rezept bei diesem Budget auf dem Text messen, den die Messung zurückgehalten hat: wie weit seine Vorhersagen von denen des Originalmodells abweichen (KL-Divergenz). Die erste Bewertung misst außerdem jede Einzelformat-Referenz.</translation>
    </message>
    <message>
        <source>Evaluate the recipe at this budget</source>
        <translation>Das Rezept bei diesem Budget bewerten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel the evaluation</source>
        <translation>Bewertung abbrechen</translation>
    </message>
    <message>
        <source>Evaluation progress</source>
        <translation>Bewertungsfortschritt</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 von %3</translation>
    </message>
    <message>
        <source>Cancelled; nothing was recorded.</source>
        <translation>Abgebrochen; es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>Measuring %1 on held-out text…</source>
        <translation>Rezept bei %1 wird auf zurückgehaltenem Text gemessen…</translation>
    </message>
    <message>
        <source>Evaluate the recipe at %1</source>
        <translation>Rezept bei %1 bewerten</translation>
    </message>
    <message>
        <source>Cancelling after the current variant…</source>
        <translation>Wird nach der aktuellen Variante abgebrochen…</translation>
    </message>
    <message>
        <source>Text…</source>
        <translation>Text…</translation>
    </message>
    <message>
        <source>Calibration text for the evaluation</source>
        <translation>Kalibrierungstext für die Bewertung</translation>
    </message>
    <message>
        <source>The text the probe calibrated on, if it is not where the probe recorded it (a run made on another machine)</source>
        <translation>Der Text, mit dem die Messung kalibriert hat, falls er nicht dort liegt, wo die Messung ihn vermerkt hat (ein Lauf, der auf einem anderen Rechner erstellt wurde)</translation>
    </message>
    <message>
        <source>The probe&apos;s calibration text</source>
        <translation>Kalibrierungstext der Messung</translation>
    </message>
    <message>
        <source>Text (*.txt *.txt.gz *.jsonl *.jsonl.gz);;All files (*)</source>
        <translation>Textdateien (*.txt *.txt.gz *.jsonl *.jsonl.gz);;Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>Measured %n variant(s).</source>
        <translation>
            <numerusform>%n Variante gemessen.</numerusform>
            <numerusform>%n Varianten gemessen.</numerusform>
        </translation>
    </message>
    <message>
        <source>The recipe: KL %1 nats per token (predicted %2).</source>
        <translation>Das Rezept: KL %1 nats pro Token (vorhergesagt %2).</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ExpertGrid</name>
    <message>
        <source>Never reached: no calibration token</source>
        <translation>Nie erreicht: kein Kalibrierungstoken</translation>
    </message>
    <message>
        <source>Prior estimate: too few tokens</source>
        <translation>Vorabschätzung: zu wenige Token</translation>
    </message>
    <message>
        <source>Not in the probe&apos;s report</source>
        <translation>Nicht im Bericht der Messung</translation>
    </message>
    <message>
        <source>Routed tokens</source>
        <translation>Geroutete Token</translation>
    </message>
    <message>
        <source>Routed tokens per layer and expert</source>
        <translation>Geroutete Token je Schicht und Experte</translation>
    </message>
    <message>
        <source>MTP layer %1 · expert %2</source>
        <translation>MTP-Schicht %1 · Experte %2</translation>
    </message>
    <message>
        <source>Layer %1 · expert %2</source>
        <translation>Schicht %1 · Experte %2</translation>
    </message>
    <message>
        <source>This layer has no expert %1</source>
        <translation>Diese Schicht hat keinen Experten %1</translation>
    </message>
    <message>
        <source>Not in the probe&apos;s report: no routed-token count</source>
        <translation>Nicht im Bericht der Messung: keine Anzahl gerouteter Token</translation>
    </message>
    <message>
        <source>Routed tokens: %1</source>
        <translation>Geroutete Token: %1</translation>
    </message>
    <message>
        <source>Never reached: the calibration routed no token to this expert, so its sensitivity is its layer&apos;s prior estimate</source>
        <translation>Nie erreicht: Die Kalibrierung hat diesem Experten kein Token zugeleitet, daher ist seine Sensitivität die Vorabschätzung seiner Schicht</translation>
    </message>
    <message>
        <source>Prior estimate: too few tokens reached it (the probe&apos;s minimum is %1), so it was given its layer&apos;s average sensitivity</source>
        <translation>Vorabschätzung: Zu wenige Token haben ihn erreicht (das Minimum der Messung ist %1), daher erhielt er die durchschnittliche Sensitivität seiner Schicht</translation>
    </message>
    <message>
        <source>Measured from its own routed tokens (not a prior estimate)</source>
        <translation>Anhand der eigenen gerouteten Token gemessen (keine Vorabschätzung)</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s) by %1 expert(s); %2 never reached, %3 prior estimates</source>
        <translation>
            <numerusform>%n Schicht × %1 Experten; %2 nie erreicht, %3 Vorabschätzungen</numerusform>
            <numerusform>%n Schichten × %1 Experten; %2 nie erreicht, %3 Vorabschätzungen</numerusform>
        </translation>
    </message>
    <message>
        <source>No routed tokens</source>
        <translation>Keine gerouteten Token</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ExpertGridDialog</name>
    <message>
        <source>Routed tokens per expert: %1</source>
        <translation>Geroutete Token je Experte: %1</translation>
    </message>
    <message numerus="yes">
        <source>How many calibration tokens the router sent to each expert (%n layer(s) × %1 experts), on a log scale. An expert few tokens reach is measured poorly: %2 were never reached and %3 got their layer&apos;s average (a prior estimate), so their predicted loss is a guess. Double-click an expert (or press Enter) to see its weights in the Sensitivity tab.</source>
        <translation>
            <numerusform>Wie viele Kalibrierungstoken der Router jedem Experten zugeleitet hat (%n Schicht × %1 Experten), auf logarithmischer Skala. Ein Experte, den nur wenige Token erreichen, wird ungenau gemessen: %2 wurden nie erreicht und %3 erhielten den Durchschnitt ihrer Schicht (eine Vorabschätzung), daher ist ihr vorhergesagter Loss nur geschätzt. Doppelklicken Sie auf einen Experten (oder drücken Sie die Eingabetaste), um seine Gewichte auf der Registerkarte „Sensitivität“ zu sehen.</numerusform>
            <numerusform>Wie viele Kalibrierungstoken der Router jedem Experten zugeleitet hat (%n Schichten × %1 Experten), auf logarithmischer Skala. Ein Experte, den nur wenige Token erreichen, wird ungenau gemessen: %2 wurden nie erreicht und %3 erhielten den Durchschnitt ihrer Schicht (eine Vorabschätzung), daher ist ihr vorhergesagter Loss nur geschätzt. Doppelklicken Sie auf einen Experten (oder drücken Sie die Eingabetaste), um seine Gewichte auf der Registerkarte „Sensitivität“ zu sehen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Click an expert (or use the arrow keys) to see its numbers; hover for a summary.</source>
        <translation>Klicken Sie auf einen Experten (oder verwenden Sie die Pfeiltasten), um seine Werte zu sehen; fahren Sie für eine Zusammenfassung mit der Maus darüber.</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ExportWizard</name>
    <message>
        <source>Export a checkpoint</source>
        <translation>Checkpoint exportieren</translation>
    </message>
    <message>
        <source>The recipe</source>
        <translation>Das Rezept</translation>
    </message>
    <message>
        <source>Each Linear gets the format below: the allocation at the budget chosen on the Pareto curve. The knee is usually the best trade: beyond it, extra bytes buy little quality.</source>
        <translation>Jedes Linear erhält das unten angezeigte Format: die Zuteilung bei dem Budget, das Sie auf der Pareto-Kurve gewählt haben. Das Knie ist meist der beste Kompromiss: Darüber hinaus bringen zusätzliche Bytes kaum noch Qualität.</translation>
    </message>
    <message>
        <source>Use the knee</source>
        <translation>Knie verwenden</translation>
    </message>
    <message>
        <source>Move the budget to the knee of the Pareto curve</source>
        <translation>Das Budget auf das Knie der Pareto-Kurve setzen</translation>
    </message>
    <message>
        <source>Where to write it</source>
        <translation>Speicherort</translation>
    </message>
    <message>
        <source>A new folder for the checkpoint. Nothing is written there until the export is complete; the source model is never modified.</source>
        <translation>Ein neuer Ordner für den Checkpoint. Dort wird erst etwas geschrieben, wenn der Export abgeschlossen ist; das Ausgangsmodell wird nie verändert.</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>Exportieren nach</translation>
    </message>
    <message>
        <source>The checkpoint takes about %1; %2 are free there.</source>
        <translation>Der Checkpoint belegt etwa %1; dort sind %2 frei.</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>Export läuft</translation>
    </message>
    <message>
        <source>The command that serves the checkpoint</source>
        <translation>Befehl zum Bereitstellen des Checkpoints</translation>
    </message>
    <message>
        <source>Copy the command</source>
        <translation>Befehl kopieren</translation>
    </message>
    <message>
        <source>No allocation yet: open a run directory and choose a budget first.</source>
        <translation>Noch keine Zuteilung: Öffnen Sie zuerst ein Laufverzeichnis und wählen Sie ein Budget.</translation>
    </message>
    <message>
        <source>%1
predicted loss increase: %2 nats per token</source>
        <translation>%1
vorhergesagter Loss-Anstieg: %2 nats pro Token</translation>
    </message>
    <message>
        <source>Done: %1 in %2 (%3 tensors). Serve it with:</source>
        <translation>Fertig: %1 (%2 in %3 Tensoren). So stellen Sie ihn bereit:</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>%1 wird geschrieben…</translation>
    </message>
    <message>
        <source>The run is no longer open: open it again and export from there.</source>
        <translation>Der Lauf ist nicht mehr geöffnet: Öffnen Sie ihn erneut und exportieren Sie von dort.</translation>
    </message>
    <message>
        <source>Export to %1</source>
        <translation>Export nach %1</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <source>The defaults suit most people; each option says what it changes.</source>
        <translation>Die Voreinstellungen passen für die meisten; jede Option erklärt, was sie ändert.</translation>
    </message>
    <message>
        <source>4-bit activations (W4A4)</source>
        <translation>4-Bit-Aktivierungen (W4A4)</translation>
    </message>
    <message>
        <source>Each NVFP4 Linear&apos;s inputs are quantized to 4 bits as well: the fastest on GPUs with FP4 arithmetic (NVIDIA Blackwell: RTX 50 series, B200, DGX Spark)</source>
        <translation>Auch die Eingaben jedes NVFP4-Linears werden auf 4 Bit quantisiert: am schnellsten auf GPUs mit FP4-Arithmetik (NVIDIA Blackwell: RTX-50-Serie, B200, DGX Spark)</translation>
    </message>
    <message>
        <source>16-bit activations (A16)</source>
        <translation>16-Bit-Aktivierungen (A16)</translation>
    </message>
    <message>
        <source>The inputs stay in 16 bits and only the weights are 4-bit: a little more accurate, and what GPUs before Blackwell compute anyway</source>
        <translation>Die Eingaben bleiben bei 16 Bit, nur die Gewichte sind 4-Bit: etwas genauer, und ohnehin das, was GPUs vor Blackwell rechnen</translation>
    </message>
    <message>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <source>Largest file of the checkpoint</source>
        <translation>Größte Datei des Checkpoints</translation>
    </message>
    <message>
        <source>The checkpoint is split into files of at most this size (model-00001-of-0000N.safetensors), as Hugging Face does</source>
        <translation>Der Checkpoint wird wie bei Hugging Face in Dateien von höchstens dieser Größe aufgeteilt (model-00001-of-0000N.safetensors)</translation>
    </message>
    <message>
        <source>NVFP4 Linears:</source>
        <translation>NVFP4-Linears:</translation>
    </message>
    <message>
        <source>File size:</source>
        <translation>Dateigröße:</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <source>This is what will be written. Export starts it.</source>
        <translation>Dies wird geschrieben. „Exportieren“ startet den Vorgang.</translation>
    </message>
    <message numerus="yes">
        <source>The recipe gives %n Linear(s) NVFP4 with 4-bit activations.</source>
        <translation>
            <numerusform>Im Rezept erhält %n Linear NVFP4 mit 4-Bit-Aktivierungen.</numerusform>
            <numerusform>Im Rezept erhalten %n Linears NVFP4 mit 4-Bit-Aktivierungen.</numerusform>
        </translation>
    </message>
    <message>
        <source>The recipe has no NVFP4 Linear with 4-bit activations: nothing to choose.</source>
        <translation>Das Rezept enthält kein NVFP4-Linear mit 4-Bit-Aktivierungen: Es gibt nichts zu wählen.</translation>
    </message>
    <message>
        <source>Linears: %1
Size: about %2 in %3 file(s) of at most %4
Folder: %5%6
Also copied from the model folder: its tokenizer, chat template and generation settings, where it has them.
The model folder itself is only read.</source>
        <translation>Linears: %1
Größe: etwa %2 in %3 Datei(en) von höchstens %4
Ordner: %5%6
Außerdem aus dem Modellordner kopiert, sofern vorhanden: Tokenizer, Chat-Vorlage und Generierungseinstellungen.
Der Modellordner selbst wird nur gelesen.</translation>
    </message>
    <message>
        <source>Replace an earlier export in this folder</source>
        <translation>Früheren Export in diesem Ordner ersetzen</translation>
    </message>
    <message>
        <source>A folder holding an earlier export (or nothing) is replaced, once the new checkpoint is complete; a folder with other files is always refused, so nothing of yours is lost</source>
        <translation>Ein Ordner mit einem früheren Export (oder ein leerer Ordner) wird ersetzt, sobald der neue Checkpoint vollständig ist; ein Ordner mit anderen Dateien wird immer abgelehnt, sodass nichts von Ihren Daten verloren geht</translation>
    </message>
    <message>
        <source> (an earlier export there is replaced)</source>
        <translation> (ein früherer Export dort wird ersetzt)</translation>
    </message>
</context>
<context>
    <name>pq::widgets::HeatmapLegend</name>
    <message>
        <source>Δloss, %1</source>
        <translation>Δloss, %1</translation>
    </message>
    <message>
        <source>No costs</source>
        <translation>Keine Kosten</translation>
    </message>
    <message>
        <source>Mixed</source>
        <translation>Gemischt</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>No allocation</source>
        <translation>Keine Zuteilung</translation>
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
Gespeichert im Tensor %2</translation>
    </message>
    <message>
        <source>MTP %1</source>
        <comment>layer of the multi-token prediction block</comment>
        <translation>MTP %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>Experte</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Source bytes</source>
        <translation>Quellbytes</translation>
    </message>
    <message>
        <source>vLLM module</source>
        <translation>vLLM-Modul</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>The Linear&apos;s module name in the checkpoint</source>
        <translation>Der Modulname des Linears im Checkpoint</translation>
    </message>
    <message>
        <source>Decoder layer (MTP: layer of the multi-token prediction block)</source>
        <translation>Decoder-Schicht (MTP: Schicht des Multi-Token-Vorhersageblocks)</translation>
    </message>
    <message>
        <source>What the Linear does inside its layer</source>
        <translation>Welche Aufgabe das Linear in seiner Schicht hat</translation>
    </message>
    <message>
        <source>Index of the routed expert (empty for dense and shared Linears)</source>
        <translation>Index des gerouteten Experten (leer bei dichten und geteilten Linears)</translation>
    </message>
    <message>
        <source>Weight shape: output features × input features</source>
        <translation>Gewichtsform: Ausgangsmerkmale × Eingangsmerkmale</translation>
    </message>
    <message>
        <source>Number of weights: output features times input features</source>
        <translation>Anzahl der Gewichte: Ausgangsmerkmale mal Eingangsmerkmale</translation>
    </message>
    <message>
        <source>Size of the weights in the checkpoint&apos;s number format</source>
        <translation>Größe der Gewichte im Zahlenformat des Checkpoints</translation>
    </message>
    <message>
        <source>The module vLLM loads this Linear into</source>
        <translation>Das Modul, in das vLLM dieses Linear lädt</translation>
    </message>
    <message>
        <source>Linears with the same group are fused by vLLM and share one format</source>
        <translation>Linears derselben Gruppe werden von vLLM fusioniert und teilen sich ein Format</translation>
    </message>
    <message>
        <source>Fused group %1 (Linears in it: %2). vLLM loads them as one module, %3, so they share one format.</source>
        <translation>Fusionierte Gruppe %1 (enthaltene Linears: %2). vLLM lädt sie als ein Modul, %3, daher teilen sie sich ein Format.</translation>
    </message>
</context>
<context>
    <name>pq::widgets::JobList</name>
    <message>
        <source>cancelling</source>
        <translation>wird abgebrochen</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>noch etwa %1</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>wird gestartet</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 von %3</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
</context>
<context>
    <name>pq::widgets::JobListView</name>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>Cancel Job</source>
        <translation>Auftrag abbrechen</translation>
    </message>
    <message>
        <source>Ask the selected job to stop at its next step</source>
        <translation>Den ausgewählten Auftrag beim nächsten Schritt anhalten lassen</translation>
    </message>
    <message>
        <source>Clear Finished</source>
        <translation>Beendete entfernen</translation>
    </message>
</context>
<context>
    <name>pq::widgets::LinearDetail</name>
    <message>
        <source>The selected Linear: predicted loss increase per format</source>
        <translation>Das ausgewählte Linear: vorhergesagter Loss-Anstieg je Format</translation>
    </message>
    <message>
        <source>Select a cell to see its predicted loss per format.</source>
        <translation>Wählen Sie eine Zelle, um ihren vorhergesagten Loss je Format zu sehen.</translation>
    </message>
    <message>
        <source>Fisher per output channel</source>
        <translation>Fisher je Ausgabekanal</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ModelSummaryWidget</name>
    <message>
        <source>Model summary</source>
        <translation>Modellübersicht</translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <source>Profile warning</source>
        <translation>Profilwarnung</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architektur:</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Schichten:</translation>
    </message>
    <message>
        <source>Profile:</source>
        <translation>Profil:</translation>
    </message>
    <message>
        <source>Tensors from:</source>
        <translation>Tensoren aus:</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>Parameter:</translation>
    </message>
    <message>
        <source>Linears:</source>
        <translation>Linears:</translation>
    </message>
    <message>
        <source>Experts (MoE):</source>
        <translation>Experten (MoE):</translation>
    </message>
    <message>
        <source>MTP:</source>
        <translation>MTP:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Parameters and bytes by kind</source>
        <translation>Parameter und Bytes nach Art</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Warnungen</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>%1 (model type %2)</source>
        <translation>%1 (Modelltyp %2)</translation>
    </message>
    <message>
        <source>Multimodal; language model type %1</source>
        <translation>Multimodal; Sprachmodelltyp %1</translation>
    </message>
    <message>
        <source>sensitivity probe available</source>
        <translation>Sensitivitätsmessung verfügbar</translation>
    </message>
    <message>
        <source>sensitivity probe not available yet</source>
        <translation>Sensitivitätsmessung noch nicht verfügbar</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Generic fallback: no profile knows this architecture, so Llama-style tensor names are assumed. Check the status and the warnings before relying on this model.</source>
        <translation>Generischer Rückfall: Kein Profil kennt diese Architektur, daher werden Tensornamen im Llama-Stil angenommen. Prüfen Sie Status und Warnungen, bevor Sie sich auf dieses Modell verlassen.</translation>
    </message>
    <message>
        <source>%1 in %2 tensors · %3 · Linears stored as %4</source>
        <translation>%1 in %2 Tensoren · %3 · Linears gespeichert als %4</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Tensors</source>
        <translation>Tensoren</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>unknown</source>
        <comment>size not known without weights</comment>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>%1 decoder layers · hidden size %2 · %3 attention heads, %4 key/value heads</source>
        <translation>%1 Decoder-Schichten · verborgene Größe %2 · %3 Attention-Köpfe, %4 Key/Value-Köpfe</translation>
    </message>
    <message>
        <source>Multi-head latent attention (MLA)</source>
        <translation>Multi-Head Latent Attention (MLA)</translation>
    </message>
    <message>
        <source>Hybrid attention: %1 linear-attention and %2 full-attention layers</source>
        <translation>Hybride Attention: %1 Schichten mit linearer und %2 mit voller Attention</translation>
    </message>
    <message>
        <source>None (dense model)</source>
        <translation>Keine (dichtes Modell)</translation>
    </message>
    <message>
        <source>%1 routed experts, %2 active per token, expert width %3</source>
        <translation>%1 geroutete Experten, %2 aktiv pro Token, Expertenbreite %3</translation>
    </message>
    <message>
        <source>Experts in %1 of %2 layers</source>
        <translation>Experten in %1 von %2 Schichten</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>vision tower: %1 tensors</source>
        <translation>Vision-Tower: %1 Tensoren</translation>
    </message>
    <message>
        <source>audio tower: %1 tensors</source>
        <translation>Audio-Tower: %1 Tensoren</translation>
    </message>
    <message>
        <source>multimodal projector: %1 tensors</source>
        <translation>multimodaler Projektor: %1 Tensoren</translation>
    </message>
    <message>
        <source>A vision or audio tower is declared in config.json, but its tensors are only listed when the weights or the index are present.</source>
        <translation>In der config.json ist ein Vision- oder Audio-Tower angegeben, seine Tensoren werden aber erst aufgeführt, wenn die Gewichte oder der Index vorhanden sind.</translation>
    </message>
    <message>
        <source>These stay in their source precision.</source>
        <translation>Diese bleiben in ihrer Ausgangsgenauigkeit.</translation>
    </message>
    <message>
        <source>quantization_config &quot;%1&quot;</source>
        <translation>quantization_config „%1“</translation>
    </message>
    <message>
        <source>Refused: this checkpoint is already quantized (found %1). Quantizing it again would compound the rounding errors; start from the original BF16 or FP16 release of the model instead.</source>
        <translation>Abgelehnt: Dieser Checkpoint ist bereits quantisiert (gefunden: %1). Eine erneute Quantisierung würde die Rundungsfehler verstärken; beginnen Sie stattdessen mit der ursprünglichen BF16- oder FP16-Veröffentlichung des Modells.</translation>
    </message>
    <message>
        <source>The Linear weights are stored as %1; only F32, F16 and BF16 weights can be quantized.</source>
        <translation>Die Linear-Gewichte sind als %1 gespeichert; nur F32-, F16- und BF16-Gewichte können quantisiert werden.</translation>
    </message>
    <message>
        <source>Ready: every tensor is classified.</source>
        <translation>Bereit: Jeder Tensor ist klassifiziert.</translation>
    </message>
    <message>
        <source>Vision and audio:</source>
        <translation>Vision und Audio:</translation>
    </message>
    <message>
        <source>%1 (fused groups: %2) · %3 parameters · %4</source>
        <translation>%1 (fusionierte Gruppen: %2) · %3 Parameter · %4</translation>
    </message>
    <message>
        <source>shared experts: %1</source>
        <translation>geteilte Experten: %1</translation>
    </message>
    <message>
        <source>Declared in config.json (blocks: %1), but the checkpoint has no MTP tensors</source>
        <translation>In der config.json angegeben (Blöcke: %1), aber der Checkpoint enthält keine MTP-Tensoren</translation>
    </message>
    <message>
        <source>blocks: %1 · tensors: %2</source>
        <translation>Blöcke: %1 · Tensoren: %2</translation>
    </message>
    <message>
        <source>None (text-only model)</source>
        <translation>Keine (reines Textmodell)</translation>
    </message>
    <message>
        <source>quantization tensors such as %1 (%2 in all)</source>
        <translation>Quantisierungstensoren wie %1 (insgesamt %2)</translation>
    </message>
    <message>
        <source>Tensors not recognised by the profile %1: %2 (the first is %3). The model cannot be quantized until every tensor is classified.</source>
        <translation>Vom Profil %1 nicht erkannte Tensoren: %2 (der erste ist %3). Das Modell kann erst quantisiert werden, wenn jeder Tensor klassifiziert ist.</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ModelView</name>
    <message>
        <source>Model view</source>
        <translation>Modellansicht</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>Kein Modell geöffnet</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder: the folder with config.json and, usually, the *.safetensors weights. A folder with only config.json works too; PrismaQuant then derives the tensor shapes from the config.</source>
        <translation>Öffnen Sie einen Hugging-Face-Modellordner: den Ordner mit der config.json und meist den *.safetensors-Gewichten. Ein Ordner nur mit config.json funktioniert auch; PrismaQuant leitet die Tensorformen dann aus der Konfiguration ab.</translation>
    </message>
    <message>
        <source>Loading progress</source>
        <translation>Ladefortschritt</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel loading</source>
        <translation>Laden abbrechen</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Error details</source>
        <translation>Fehlerdetails</translation>
    </message>
    <message>
        <source>Try Again</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Filter by name, role or vLLM module, e.g. &quot;layers.3 down&quot;</source>
        <translation>Nach Name, Rolle oder vLLM-Modul filtern, z. B. „layers.3 down“</translation>
    </message>
    <message>
        <source>Filter Linears</source>
        <translation>Linears filtern</translation>
    </message>
    <message>
        <source>Number of Linears shown</source>
        <translation>Anzahl der angezeigten Linears</translation>
    </message>
    <message>
        <source>Linears</source>
        <translation>Linears</translation>
    </message>
    <message>
        <source>Reading the model folder
%1</source>
        <translation>Der Modellordner wird gelesen
%1</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>Der Ordner %1 existiert nicht.</translation>
    </message>
    <message>
        <source>The folder %1 has no config.json, so it is not a model folder.</source>
        <translation>Der Ordner %1 enthält keine config.json und ist daher kein Modellordner.</translation>
    </message>
    <message>
        <source>Choose the folder that holds the model&apos;s config.json and, usually, its *.safetensors weights.</source>
        <translation>Wählen Sie den Ordner, der die config.json des Modells und meist auch seine *.safetensors-Gewichte enthält.</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>Details: %1</translation>
    </message>
    <message>
        <source>%1 of %2 Linears</source>
        <translation>%1 von %2 Linears</translation>
    </message>
    <message>
        <source>Open Model Directory…</source>
        <translation>Modellverzeichnis öffnen…</translation>
    </message>
    <message>
        <source>Open model directory</source>
        <translation>Modellverzeichnis öffnen</translation>
    </message>
    <message>
        <source>Open Another Directory…</source>
        <translation>Anderes Verzeichnis öffnen…</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ParetoChart</name>
    <message>
        <source>Pareto curve: predicted quality loss against model size</source>
        <translation>Pareto-Kurve: vorhergesagter Qualitätsverlust gegenüber der Modellgröße</translation>
    </message>
    <message>
        <source>Click or drag to choose the size budget; Left and Right step between the recipes on the curve.</source>
        <translation>Klicken oder ziehen Sie, um das Größenbudget zu wählen; mit den Pfeiltasten Links und Rechts wechseln Sie zwischen den Rezepten auf der Kurve.</translation>
    </message>
    <message>
        <source>%1 bits per Linear parameter · %2
predicted loss increase: %3 nats per token
%4</source>
        <translation>%1 Bits pro Linear-Parameter · %2
vorhergesagter Loss-Anstieg: %3 nats pro Token
%4</translation>
    </message>
    <message>
        <source>the knee: beyond it, extra bytes buy little quality</source>
        <translation>das Knie: Darüber hinaus bringen zusätzliche Bytes kaum noch Qualität</translation>
    </message>
    <message>
        <source>No curve yet: open a run directory with probe results.</source>
        <translation>Noch keine Kurve: Öffnen Sie ein Laufverzeichnis mit Ergebnissen der Sensitivitätsmessung.</translation>
    </message>
    <message>
        <source>bits per Linear parameter</source>
        <translation>Bits pro Linear-Parameter</translation>
    </message>
    <message>
        <source>predicted Δloss (nats/token)</source>
        <translation>vorhergesagter Δloss (nats/Token)</translation>
    </message>
    <message>
        <source>knee</source>
        <translation>Knie</translation>
    </message>
    <message>
        <source>budget %1 · %2 bpp</source>
        <translation>Budget %1 · %2 bpp</translation>
    </message>
    <message>
        <source>recipes the allocator can make (predicted)</source>
        <translation>Rezepte, die der Zuteiler erstellen kann (vorhergesagt)</translation>
    </message>
    <message>
        <source>one format for every Linear (predicted)</source>
        <translation>ein Format für jedes Linear (vorhergesagt)</translation>
    </message>
    <message>
        <source>measured on held-out text (KL against the original)</source>
        <translation>auf zurückgehaltenem Text gemessen (KL gegenüber dem Original)</translation>
    </message>
    <message>
        <source>%1 — measured
%2 bits per Linear parameter · %3
KL against the original: %4 nats per token
perplexity %5</source>
        <translation>%1 — gemessen
%2 Bits pro Linear-Parameter · %3
KL gegenüber dem Original: %4 nats pro Token
Perplexität %5</translation>
    </message>
    <message>
        <source>predicted Δloss at this size: %1</source>
        <translation>vorhergesagter Δloss bei dieser Größe: %1</translation>
    </message>
    <message>
        <source>every Linear in %1 (predicted)
%2 bits per Linear parameter · %3
predicted loss increase: %4 nats per token</source>
        <translation>jedes Linear in %1 (vorhergesagt)
%2 Bits pro Linear-Parameter · %3
vorhergesagter Loss-Anstieg: %4 nats pro Token</translation>
    </message>
    <message numerus="yes">
        <source>%n Linear(s) stay BF16: their fused group cannot take the format</source>
        <translation>
            <numerusform>%n Linear bleibt BF16: Seine fusionierte Gruppe kann das Format nicht annehmen</numerusform>
            <numerusform>%n Linears bleiben BF16: Ihre fusionierte Gruppe kann das Format nicht annehmen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pq::widgets::ParetoView</name>
    <message>
        <source>Allocation at the chosen budget</source>
        <translation>Zuteilung beim gewählten Budget</translation>
    </message>
    <message>
        <source>Reading the run…</source>
        <translation>Lauf wird gelesen…</translation>
    </message>
    <message>
        <source>%1 · predicted loss increase %2 nats per token</source>
        <translation>%1 · vorhergesagter Loss-Anstieg %2 nats pro Token</translation>
    </message>
    <message>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <source>GPU memory</source>
        <translation>GPU-Speicher</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> Token</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Anpassen</translation>
    </message>
    <message>
        <source>Move the budget to the largest recipe whose weights, KV cache for this context and about 1.5 GiB of runtime fit the GPU</source>
        <translation>Setzt das Budget auf das größte Rezept, dessen Gewichte, KV-Cache für diesen Kontext und etwa 1,5 GiB Laufzeitbedarf auf die GPU passen</translation>
    </message>
    <message>
        <source>Fits my GPU:</source>
        <translation>Passt auf meine GPU:</translation>
    </message>
    <message>
        <source>at</source>
        <translation>bei</translation>
    </message>
    <message>
        <source>Even the smallest recipe (%1) needs more: %2 are left for the weights.</source>
        <translation>Selbst das kleinste Rezept (%1) braucht mehr: Für die Gewichte bleiben %2.</translation>
    </message>
    <message>
        <source>%1 left for the weights (hover for the arithmetic)</source>
        <translation>%1 bleiben für die Gewichte (für die Rechnung mit der Maus darüberfahren)</translation>
    </message>
    <message>
        <source>The measured evaluations could not be read: %1</source>
        <translation>Die gemessenen Bewertungen konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>× </source>
        <translation>× </translation>
    </message>
    <message>
        <source>Sequences at once</source>
        <translation>Gleichzeitige Sequenzen</translation>
    </message>
    <message>
        <source>How many conversations the server runs at once: each keeps its own KV cache of the context&apos;s length</source>
        <translation>Wie viele Unterhaltungen der Server gleichzeitig führt: Jede hat ihren eigenen KV-Cache in Kontextlänge</translation>
    </message>
    <message>
        <source>KV cache BF16</source>
        <translation>KV-Cache BF16</translation>
    </message>
    <message>
        <source>KV cache FP8</source>
        <translation>KV-Cache FP8</translation>
    </message>
    <message>
        <source>KV cache type</source>
        <translation>KV-Cache-Typ</translation>
    </message>
    <message>
        <source>FP8 halves the memory the KV cache takes (vllm serve --kv-cache-dtype fp8)</source>
        <translation>FP8 halbiert den Speicherbedarf des KV-Cache (vllm serve --kv-cache-dtype fp8)</translation>
    </message>
</context>
<context>
    <name>pq::widgets::PinPatternDialog</name>
    <message>
        <source>Pin Matching Linears</source>
        <translation>Passende Linears fixieren</translation>
    </message>
    <message>
        <source>Every Linear whose name contains a match of the pattern gets the format, whatever the budget. The pattern is a regular expression: &lt;code&gt;down_proj&lt;/code&gt; matches every down projection, &lt;code&gt;layers\.(0|1)\.&lt;/code&gt; the first two layers.</source>
        <translation>Jedes Linear, dessen Name eine Übereinstimmung mit dem Muster enthält, erhält das Format, unabhängig vom Budget. Das Muster ist ein regulärer Ausdruck: &lt;code&gt;down_proj&lt;/code&gt; trifft auf jede Down-Projektion zu, &lt;code&gt;layers\.(0|1)\.&lt;/code&gt; auf die ersten beiden Schichten.</translation>
    </message>
    <message>
        <source>Pattern of Linear names</source>
        <translation>Muster für Linear-Namen</translation>
    </message>
    <message>
        <source>Format to pin to</source>
        <translation>Format, auf das fixiert wird</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>Fixieren</translation>
    </message>
    <message>
        <source>&amp;Pattern:</source>
        <translation>&amp;Muster:</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>&amp;Format:</translation>
    </message>
    <message>
        <source>Not a valid pattern: %1</source>
        <translation>Kein gültiges Muster: %1</translation>
    </message>
    <message>
        <source>Type a pattern.</source>
        <translation>Geben Sie ein Muster ein.</translation>
    </message>
    <message>
        <source>Matches no Linear.</source>
        <translation>Passt auf kein Linear.</translation>
    </message>
    <message>
        <source>%1 cannot store %2 (its shape does not fit the format&apos;s groups): narrow the pattern or pick another format.</source>
        <translation>%1 kann %2 nicht speichern (seine Form passt nicht zu den Gruppen des Formats): Schränken Sie das Muster ein oder wählen Sie ein anderes Format.</translation>
    </message>
    <message numerus="yes">
        <source>Matches %n Linear(s): %1</source>
        <translation>
            <numerusform>Passt auf %n Linear: %1</numerusform>
            <numerusform>Passt auf %n Linears: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 cannot be exported: vLLM has no loader for it.</source>
        <translation>%1 kann nicht exportiert werden: vLLM hat dafür keinen Loader.</translation>
    </message>
    <message>
        <source>%1 is pinned to %2 already (pin %3): remove that pin first.</source>
        <translation>%1 ist bereits auf %2 fixiert (Fixierung %3): Entfernen Sie zuerst diese Fixierung.</translation>
    </message>
</context>
<context>
    <name>pq::widgets::ProbeView</name>
    <message>
        <source>Open a model folder first.</source>
        <translation>Öffnen Sie zuerst einen Modellordner.</translation>
    </message>
    <message>
        <source>.txt or .jsonl text (optionally .gz), or a folder of them</source>
        <translation>Text als .txt oder .jsonl (optional mit .gz komprimiert) oder ein Ordner mit solchen Dateien</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Text (*.txt *.txt.gz *.jsonl *.jsonl.gz);;All files (*)</source>
        <translation>Textdateien (*.txt *.txt.gz *.jsonl *.jsonl.gz);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Run directory</source>
        <translation>Laufverzeichnis</translation>
    </message>
    <message>
        <source>Calibration windows: more give steadier measurements and take longer (the probe&apos;s time grows with samples × length)</source>
        <translation>Kalibrierungsfenster: Mehr Fenster liefern stabilere Messwerte, dauern aber länger (die Dauer der Messung wächst mit Stichproben × Länge)</translation>
    </message>
    <message>
        <source>Tokens per window</source>
        <translation>Token pro Fenster</translation>
    </message>
    <message>
        <source>Windows kept apart for evaluating the result, never measured on</source>
        <translation>Fenster, die zur Bewertung des Ergebnisses zurückgehalten und nie für die Messung verwendet werden</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Calibration text:</source>
        <translation>Kalibrierungstext:</translation>
    </message>
    <message>
        <source>Run directory:</source>
        <translation>Laufverzeichnis:</translation>
    </message>
    <message>
        <source>Samples:</source>
        <translation>Stichproben:</translation>
    </message>
    <message>
        <source>Tokens per sample:</source>
        <translation>Token pro Stichprobe:</translation>
    </message>
    <message>
        <source>Held-out samples:</source>
        <translation>Zurückgehaltene Stichproben:</translation>
    </message>
    <message>
        <source>Run the probe</source>
        <translation>Messung starten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>The probe&apos;s log</source>
        <translation>Protokoll der Messung</translation>
    </message>
    <message>
        <source>Choose the model, a calibration text and the run directory first.</source>
        <translation>Wählen Sie zuerst das Modell, einen Kalibrierungstext und das Laufverzeichnis.</translation>
    </message>
    <message>
        <source>Done: %1 Linears measured on %2 tokens (mean loss %3). Results in %4.</source>
        <translation>Fertig: %1 Linears auf %2 Token gemessen (mittlerer Loss %3). Ergebnisse in %4.</translation>
    </message>
    <message>
        <source>Cancelled. Running again continues where it stopped.</source>
        <translation>Abgebrochen. Wenn Sie die Messung erneut starten, wird sie dort fortgesetzt, wo sie angehalten wurde.</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Cancelling at the next layer…</source>
        <translation>Wird bei der nächsten Schicht abgebrochen…</translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>, noch etwa %1</translation>
    </message>
    <message>
        <source>%1: %2 of %3%4</source>
        <translation>%1: %2 von %3%4</translation>
    </message>
    <message>
        <source>Bundled Text</source>
        <translation>Mitgelieferter Text</translation>
    </message>
    <message>
        <source>The King James Bible that comes with PrismaQuant (public domain): fine for trying things out; text like what the model will see in use measures better</source>
        <translation>Die mit PrismaQuant mitgelieferte King-James-Bibel (gemeinfrei): gut zum Ausprobieren; Text, der dem ähnelt, was das Modell im Einsatz sieht, liefert bessere Messwerte</translation>
    </message>
    <message>
        <source>Probe %1</source>
        <translation>Messung %1</translation>
    </message>
    <message>
        <source>Device the probe runs on</source>
        <translation>Gerät, auf dem die Messung läuft</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <source>This build&apos;s libtorch has no CUDA, or no GPU is visible</source>
        <translation>Die libtorch dieses Builds unterstützt kein CUDA, oder es ist keine GPU sichtbar</translation>
    </message>
    <message>
        <source>The GPU computes in bfloat16 and is much faster on large models; the CPU computes in float32</source>
        <translation>Die GPU rechnet in bfloat16 und ist bei großen Modellen viel schneller; die CPU rechnet in float32</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>Checking for a GPU…</source>
        <translation>Es wird geprüft, ob eine GPU vorhanden ist…</translation>
    </message>
</context>
<context>
    <name>pq::widgets::SensitivityHeatmap</name>
    <message>
        <source>Sensitivity heatmap</source>
        <translation>Sensitivitäts-Heatmap</translation>
    </message>
    <message>
        <source>MTP layer %1 · %2</source>
        <translation>MTP-Schicht %1 · %2</translation>
    </message>
    <message>
        <source>Layer %1 · %2</source>
        <translation>Schicht %1 · %2</translation>
    </message>
    <message>
        <source>No Linear of this role in this layer</source>
        <translation>Kein Linear mit dieser Rolle in dieser Schicht</translation>
    </message>
    <message numerus="yes">
        <source>%n Linear(s) across %1 experts</source>
        <translation>
            <numerusform>%n Linear, verteilt auf %1 Experten</numerusform>
            <numerusform>%n Linears, verteilt auf %1 Experten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Linear(s)</source>
        <translation>
            <numerusform>%n Linear</numerusform>
            <numerusform>%n Linears</numerusform>
        </translation>
    </message>
    <message>
        <source>Parameters: %1</source>
        <translation>Parameter: %1</translation>
    </message>
    <message>
        <source>No predicted Δloss</source>
        <translation>Kein vorhergesagter Δloss</translation>
    </message>
    <message>
        <source>Predicted Δloss:</source>
        <translation>Vorhergesagter Δloss:</translation>
    </message>
    <message>
        <source>Chosen format: %1</source>
        <translation>Gewähltes Format: %1</translation>
    </message>
    <message>
        <source>Chosen format: mixed</source>
        <translation>Gewähltes Format: gemischt</translation>
    </message>
    <message>
        <source>Chosen format: none</source>
        <translation>Gewähltes Format: keines</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s) by %1 Linear role(s); no cell selected</source>
        <translation>
            <numerusform>%n Schicht × %1 Linear-Rollen; keine Zelle ausgewählt</numerusform>
            <numerusform>%n Schichten × %1 Linear-Rollen; keine Zelle ausgewählt</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pq::widgets::SensitivityView</name>
    <message>
        <source>Predicted loss increase of a format</source>
        <translation>Vorhergesagter Loss-Anstieg eines Formats</translation>
    </message>
    <message>
        <source>Format chosen at the budget</source>
        <translation>Beim Budget gewähltes Format</translation>
    </message>
    <message>
        <source>Colour the cells by</source>
        <translation>Zellen einfärben nach</translation>
    </message>
    <message>
        <source>Format whose predicted loss increase colours the cells</source>
        <translation>Format, dessen vorhergesagter Loss-Anstieg die Zellen einfärbt</translation>
    </message>
    <message>
        <source>Colour by:</source>
        <translation>Einfärben nach:</translation>
    </message>
    <message>
        <source>Click a cell (or use the arrow keys) to see its numbers; hover for a summary.</source>
        <translation>Klicken Sie auf eine Zelle (oder verwenden Sie die Pfeiltasten), um ihre Werte zu sehen; fahren Sie für eine Zusammenfassung mit der Maus darüber.</translation>
    </message>
    <message>
        <source>No Linear of this role here.</source>
        <translation>Hier gibt es kein Linear mit dieser Rolle.</translation>
    </message>
    <message>
        <source>%1 (chosen at the budget)</source>
        <translation>%1 (beim Budget gewählt)</translation>
    </message>
    <message>
        <source>%1 (colouring the map)</source>
        <translation>%1 (färbt die Karte ein)</translation>
    </message>
    <message>
        <source>BF16 (%1 cannot store this shape)</source>
        <translation>BF16 (%1 kann diese Form nicht speichern)</translation>
    </message>
    <message>
        <source>%1 in %2; expert %3 of the layer&apos;s %4</source>
        <translation>%1 in %2; Experte %3 von %4 der Schicht</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 in %2</translation>
    </message>
</context>
<context>
    <name>pq::widgets::WeightHistogramView</name>
    <message>
        <source>Histogram of the selected Linear&apos;s weights</source>
        <translation>Histogramm der Gewichte des ausgewählten Linears</translation>
    </message>
    <message>
        <source>Reading the weights of %1…</source>
        <translation>Gewichte von %1 werden gelesen…</translation>
    </message>
    <message>
        <source>Could not read the weights of %1. %2 %3</source>
        <translation>Die Gewichte von %1 konnten nicht gelesen werden. %2 %3</translation>
    </message>
    <message>
        <source>Select a Linear to see a histogram of its weights.</source>
        <translation>Wählen Sie ein Linear, um ein Histogramm seiner Gewichte zu sehen.</translation>
    </message>
    <message>
        <source>Across: each weight&apos;s value. %1 stores weights unchanged, so nothing is rounded. Up: how many weights (log scale).</source>
        <translation>Waagerecht: der Wert jedes Gewichts. %1 speichert Gewichte unverändert, daher wird nichts gerundet. Senkrecht: Anzahl der Gewichte (logarithmische Skala).</translation>
    </message>
    <message>
        <source>the scale of its output row (%1 keeps one scale per row)</source>
        <translation>den Skalierungsfaktor seiner Ausgabezeile (%1 speichert einen Skalierungsfaktor pro Zeile)</translation>
    </message>
    <message>
        <source>the scale of its group (%1 keeps one scale per %2 weights)</source>
        <translation>den Skalierungsfaktor seiner Gruppe (%1 speichert einen Skalierungsfaktor pro %2 Gewichte)</translation>
    </message>
    <message>
        <source>Across: each weight divided by %1. The marks below are the only values %2 can store; every weight is rounded to the nearest mark, and weights past the end marks are cut to them. Up: how many weights (log scale).</source>
        <translation>Waagerecht: jedes Gewicht geteilt durch %1. Die Markierungen unten sind die einzigen Werte, die %2 speichern kann; jedes Gewicht wird auf die nächste Markierung gerundet, und Gewichte jenseits der äußeren Markierungen werden auf diese begrenzt. Senkrecht: Anzahl der Gewichte (logarithmische Skala).</translation>
    </message>
    <message>
        <source>%1 weights · largest |weight| %2</source>
        <translation>%1 Gewichte · größtes |Gewicht| %2</translation>
    </message>
    <message>
        <source>%1 weights · largest |value| %2 · %3 beyond the end marks</source>
        <translation>%1 Gewichte · größter |Wert| %2 · %3 jenseits der äußeren Markierungen</translation>
    </message>
</context>
<context>
    <name>pq::widgets::WelcomePage</name>
    <message>
        <source>Welcome page</source>
        <translation>Startseite</translation>
    </message>
    <message>
        <source>Welcome to PrismaQuant Studio</source>
        <translation>Willkommen bei PrismaQuant Studio</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Open the Demo Model</source>
        <translation>Demomodell öffnen</translation>
    </message>
    <message>
        <source>Open the demo model</source>
        <translation>Demomodell öffnen</translation>
    </message>
    <message>
        <source>Open a Model Folder…</source>
        <translation>Modellordner öffnen…</translation>
    </message>
    <message>
        <source>A Hugging Face model folder: the one with config.json and the *.safetensors weights.</source>
        <translation>Ein Hugging-Face-Modellordner: der mit der config.json und den *.safetensors-Gewichten.</translation>
    </message>
    <message>
        <source>Open a model folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <source>Open a Run Folder…</source>
        <translation>Laufordner öffnen…</translation>
    </message>
    <message>
        <source>A folder written by prismaquant run or prismaquant probe: its sensitivities, Pareto curve and allocation.</source>
        <translation>Ein von prismaquant run oder prismaquant probe geschriebener Ordner: seine Sensitivitäten, Pareto-Kurve und Zuteilung.</translation>
    </message>
    <message>
        <source>Open a run folder</source>
        <translation>Laufordner öffnen</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>The folders you open are listed here.</source>
        <translation>Die Ordner, die Sie öffnen, werden hier aufgeführt.</translation>
    </message>
    <message>
        <source>The demo model is not part of this installation.</source>
        <translation>Das Demomodell ist nicht Teil dieser Installation.</translation>
    </message>
    <message>
        <source>A small Llama (4 million parameters) trained for this project and shipped with it: a real model to look around with.</source>
        <translation>Ein kleines Llama (4 Millionen Parameter), für dieses Projekt trainiert und mit ihm ausgeliefert: ein echtes Modell zum Erkunden.</translation>
    </message>
    <message>
        <source>Open recent folder %1</source>
        <translation>Zuletzt geöffneten Ordner %1 öffnen</translation>
    </message>
    <message>
        <source>PrismaQuant makes a large language model smaller without guessing where it hurts. It measures how much each layer of the model minds being stored in fewer bits, then picks a number format for every layer (NVFP4, MXFP8, BF16…) so that the whole model fits the size you can afford with the least loss of quality. The Studio shows that trade-off as a curve you can steer, shows which layers are sensitive and why, and exports the chosen mix as a checkpoint that vLLM serves.</source>
        <translation>PrismaQuant verkleinert ein großes Sprachmodell, ohne raten zu müssen, wo es schadet. Es misst, wie empfindlich jede Schicht des Modells darauf reagiert, mit weniger Bits gespeichert zu werden, und wählt dann für jede Schicht ein Zahlenformat (NVFP4, MXFP8, BF16…), sodass das ganze Modell mit dem geringsten Qualitätsverlust in die Größe passt, die Sie sich leisten können. Das Studio zeigt diesen Kompromiss als Kurve, die Sie steuern können, zeigt, welche Schichten empfindlich sind und warum, und exportiert die gewählte Mischung als Checkpoint, den vLLM bereitstellen kann.</translation>
    </message>
    <message>
        <source>Open a model and measure it on the Probe tab, or open a run folder the prismaquant command line wrote (prismaquant run or probe, also on another machine).</source>
        <translation>Öffnen Sie ein Modell und messen Sie es auf der Registerkarte „Messung“, oder öffnen Sie einen Laufordner, den die prismaquant-Kommandozeile geschrieben hat (prismaquant run oder probe, auch auf einem anderen Rechner).</translation>
    </message>
    <message>
        <source>This build cannot measure (it has no libtorch): measure with the prismaquant command line (prismaquant run or probe) and open the run folder it writes to see the results here.</source>
        <translation>Dieser Build kann nicht messen (er enthält keine libtorch): Messen Sie mit der prismaquant-Kommandozeile (prismaquant run oder probe) und öffnen Sie den Laufordner, den sie schreibt, um die Ergebnisse hier zu sehen.</translation>
    </message>
</context>
</TS>
