# SPDX-License-Identifier: MIT
# Collects the help of `prismaquant` and of each of its subcommands, in script mode:
#   cmake -DPQ_CLI=path/to/prismaquant -DMODE=markdown|man -DOUT=file [-DCHECK=file]
#         -P cmake/PqCliHelp.cmake
# markdown: docs/cli-reference.md (scripts/cli-reference; with CHECK, the test that fails when
#           the committed file is not what the program says)
# man:      the COMMANDS section help2man adds to prismaquant.1 (--include)
# The subcommands are the ones `prismaquant --help` lists, so a new command is never left out.
cmake_minimum_required(VERSION 3.25)
foreach(var PQ_CLI MODE OUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "PqCliHelp.cmake: -D${var}=... is required")
    endif()
endforeach()

function(pq_help out_var)
    execute_process(COMMAND "${PQ_CLI}" ${ARGN} --help
                    OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "'${PQ_CLI} ${ARGN} --help' failed (${rc}): ${err}")
    endif()
    string(REGEX REPLACE "[ \t]+\n" "\n" text "${text}")  # trailing blanks
    string(STRIP "${text}" text)
    set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

pq_help(top)
execute_process(COMMAND "${PQ_CLI}" --version OUTPUT_VARIABLE version
                OUTPUT_STRIP_TRAILING_WHITESPACE)
# the "Subcommands:" section: "  name   description…" lines
string(FIND "${top}" "\nSubcommands:\n" at)
if(at LESS 0)
    message(FATAL_ERROR "'${PQ_CLI} --help' lists no subcommands")
endif()
string(SUBSTRING "${top}" ${at} -1 section)
string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*  " lines "${section}")
set(commands "")
foreach(line IN LISTS lines)
    string(STRIP "${line}" name)
    list(APPEND commands "${name}")
endforeach()

if(MODE STREQUAL "markdown")
    set(doc "# Command-line reference\n\n")
    string(APPEND doc "Generated from the help of `${version}` by `scripts/cli-reference` (a test "
                      "checks that it is current); the guide for each command is in "
                      "[cli.md](cli.md).\n\n")
    string(APPEND doc "## prismaquant\n\n```text\n${top}\n```\n")
    foreach(name IN LISTS commands)
        pq_help(help ${name})
        string(APPEND doc "\n## prismaquant ${name}\n\n```text\n${help}\n```\n")
    endforeach()
elseif(MODE STREQUAL "man")
    # help2man's own parse of the top-level help would list the commands twice: replace it
    set(doc [=[
[=DESCRIPTION]
PrismaQuant quantizes large language models with a number format chosen for every Linear by
measurement: \fBprobe\fR measures how much the model's loss would suffer for each Linear and
format on a calibration text, \fBallocate\fR picks each Linear's format under a size budget,
\fBexport\fR writes a compressed-tensors checkpoint that vLLM serves, and \fBrun\fR does all
of it in one resumable command. \fBprismaquant\-studio\fR is the desktop workbench over the
same engine.
[=OPTIONS]
.TP
\fB\-h\fR, \fB\-\-help\fR
Print the help and exit; every command has its own (\fBprismaquant\fR \fIcommand\fR \fB\-\-help\fR).
.TP
\fB\-\-version\fR
Print the version and exit.
[=EXAMPLES]
.nf
prismaquant inspect ~/models/Qwen3\-8B
prismaquant run ~/models/Qwen3\-8B \-\-calib my.jsonl \-\-out runs/q8b \-\-target\-bits 4.5 \-\-export ~/models/Qwen3\-8B\-pq
prismaquant allocate runs/q8b \-\-fit\-vram 24GiB \-\-context 8192 \-\-kv\-dtype fp8
prismaquant compare runs/q8b \-\-at 4.5
.fi
[EXIT STATUS]
0 success; 1 a wrong command line; 2 an input that is bad or not supported (a file, a model,
a config); 3 interrupted (Ctrl\-C), the work done so far kept for a resume; 4 reading or
writing failed (a full disk, permissions). The message says which, in words.
[SEE ALSO]
\fBprismaquant\-studio\fR(1); the guides in /usr/share/doc/prismaquant (guide.md first).
]=])
    string(APPEND doc "[COMMANDS]\n")
    foreach(name IN LISTS commands)
        pq_help(help ${name})
        # roff: a backslash is \e; a line starting with . or ' would be a request
        string(REPLACE "\\" "\\e" help "${help}")
        set(help "\n${help}")
        string(REPLACE "\n." "\n\\&." help "${help}")
        string(REPLACE "\n'" "\n\\&'" help "${help}")
        string(APPEND doc ".SS ${name}\n.nf${help}\n.fi\n")
    endforeach()
else()
    message(FATAL_ERROR "PqCliHelp.cmake: MODE must be markdown or man, not '${MODE}'")
endif()
file(WRITE "${OUT}" "${doc}")
if(DEFINED CHECK)
    file(READ "${CHECK}" committed)
    if(NOT committed STREQUAL doc)
        message(FATAL_ERROR "${CHECK} is not what '${PQ_CLI} --help' says now: run "
                            "scripts/cli-reference and commit the result (diff ${OUT} ${CHECK})")
    endif()
endif()
