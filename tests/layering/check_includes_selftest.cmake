# The include-rule checker on a small made-up tree (CTest layering/checker):
#   cmake -DWORK_DIR=<scratch folder> -P check_includes_selftest.cmake
# The tree passes as written; each planted file below adds exactly one
# violation, which the checker must report with its file, line and rule.
cmake_minimum_required(VERSION 3.25)

if(NOT WORK_DIR)
  message(FATAL_ERROR "usage: cmake -DWORK_DIR=<scratch folder> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
set(checker ${CMAKE_CURRENT_LIST_DIR}/check_includes.cmake)

# A tree that keeps the rule. Lines before the includes hold what a CMake
# list treats specially (';', brackets, a backslash at the end of a line), so
# the reported line numbers are checked too. In the texts, {SEMI}, {LB} and
# {RB} stand for ';', '[' and ']', which these lists cannot hold.
set(clean
  "core/base/result.h" "#pragma once\n#include <string>\n"
  "core/base/text.cpp" "#define PICK(a) \\\n    a{LB}0{RB}{SEMI}\n#include \"core/base/result.h\"\n"
  "core/runtime/runtime.h" "#pragma once\n#include \"core/base/result.h\"\n"
  "core/runtime/snapshot.h" "#pragma once\n#include \"core/base/result.h\"\n"
  "core/runtime/detail/lock.h" "#pragma once\n#include \"core/runtime/runtime.h\"\n"
  "core/supervision/supervisor.h" "#pragma once\n#include \"core/runtime/runtime.h\"\n"
  "core/finance/finance.h" "#pragma once\n#include \"core/supervision/supervisor.h\"\n"
  "core/finance/money.h" "#pragma once\n#include \"core/base/result.h\"\n"
  "core/scenario/scenario.h" "#pragma once\n#include \"core/finance/finance.h\"\n"
  "ui/bridge/bridge.h" "#pragma once\n#include \"core/runtime/runtime.h\"\n#include \"core/finance/finance.h\"\n#include <QObject>\n"
  "ui/tree/view.cpp" "#include \"ui/bridge/bridge.h\"\n#include \"core/runtime/snapshot.h\"\n#include \"core/finance/money.h\"\n#include <QWidget>\n"
  "app/main.cpp" "/* {LB}x{SEMI} */\n#include \"core/scenario/scenario.h\"\n#include \"ui/tree/view.h\"\n#include \"app/options.h\"\n#include <QApplication>\n"
)

# name; file; its text; what the checker must print for it
set(planted
  "facade in a widget" "ui/tree/model.cpp" "#include <vector>\n\n#include \"core/runtime/runtime.h\"\n"
      "ui/tree/model.cpp:3: (a) only ui/bridge may include core/runtime/runtime.h"
  "finance client through a core header" "ui/scenario/panel.h" "#pragma once\n#include \"core/scenario/scenario.h\"\n"
      "ui/scenario/panel.h:2: (a) only ui/bridge may include core/finance/finance.h, here through core/scenario/scenario.h -> core/finance/finance.h"
  "Qt in core" "core/runtime/clock.cpp" "#include \"core/runtime/runtime.h\"\n  #  include <QElapsedTimer>\n"
      "core/runtime/clock.cpp:2: (b) core includes a Qt header: <QElapsedTimer>"
  "Qt module header in core" "core/base/log.h" "#include <QtCore/qglobal.h>\n"
      "core/base/log.h:1: (b) core includes a Qt header: <QtCore/qglobal.h>"
  "lower layer includes higher" "core/runtime/events.cpp" "#pragma once\n#include \"core/finance/money.h\"\n"
      "core/runtime/events.cpp:2: (c) core/runtime includes the higher layer core/finance: \"core/finance/money.h\""
  "core includes ui" "core/scenario/player.h" "#include \"ui/bridge/bridge.h\"\n"
      "core/scenario/player.h:1: (c) core/scenario includes the higher layer ui: \"ui/bridge/bridge.h\""
  "ui includes app" "ui/window/window.cpp" "#include \"app/options.h\"\n"
      "ui/window/window.cpp:1: (c) ui includes the higher layer app: \"app/options.h\""
  "core folder in no layer" "core/misc/util.h" "#pragma once\n"
      "core/misc/util.h:1: (c) its folder is no core layer"
  "include from the file's folder" "ui/tree/layout.cpp" "// the layout\n#include \"view.h\"\n"
      "ui/tree/layout.cpp:2: (d) not written from the repository root (core/..., ui/... or app/...): \"view.h\""
  "include through .." "core/finance/ledger.cpp" "#include \"core/finance/../base/result.h\"\n"
      "core/finance/ledger.cpp:1: (d) not written from the repository root"
)

function(write_file path text)
  string(REPLACE "{SEMI}" ";" text "${text}")
  string(REPLACE "{LB}" "[" text "${text}")
  string(REPLACE "{RB}" "]" text "${text}")
  file(WRITE "${path}" "${text}")
endfunction()

function(write_tree dir)
  file(REMOVE_RECURSE "${dir}")
  set(files ${clean})
  while(files)
    list(POP_FRONT files name text)
    write_file("${dir}/${name}" "${text}")
  endwhile()
endfunction()

function(run_checker dir out_rc out_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${dir} -P ${checker}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_text} "${out}${err}" PARENT_SCOPE)
endfunction()

set(failures 0)
write_tree("${WORK_DIR}/clean")
run_checker("${WORK_DIR}/clean" rc text)
if(NOT rc EQUAL 0)
  message("FAIL clean tree: exit ${rc}\n${text}")
  math(EXPR failures "${failures} + 1")
endif()

set(index 0)
while(planted)
  list(POP_FRONT planted name file text expected)
  math(EXPR index "${index} + 1")
  set(dir "${WORK_DIR}/planted${index}")
  write_tree("${dir}")
  write_file("${dir}/${file}" "${text}")
  run_checker("${dir}" rc output)
  string(FIND "${output}" "${expected}" at)
  if(rc EQUAL 0 OR at LESS 0 OR NOT output MATCHES "[^0-9]1 include\\(s\\) break")
    message("FAIL ${name}: exit ${rc}, expected exactly one violation:\n  ${expected}\ngot:\n${output}")
    math(EXPR failures "${failures} + 1")
  endif()
endwhile()

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} case(s) of the include-rule checker failed")
endif()
message("the checker passes the clean tree and reports each of ${index} planted violations")
