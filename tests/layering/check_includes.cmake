# The include rule, checked on the sources (CTest layering/includes):
#   cmake -DSOURCE_DIR=<repository root> -P check_includes.cmake
# Prints each offending "file:line: (rule) why" and fails if there is one.
#   (a) Only ui/bridge reaches the runtime facade (core/runtime/runtime.h) or
#       the finance client (core/finance/finance.h): another ui file may not
#       include them, directly or through a core header that does (so
#       widgets never hold the runtime themselves).
#   (b) Nothing under core/ includes a Qt header: core builds without Qt.
#   (c) A file includes its own layer and lower ones only, in the order
#       core/base < core/runtime < core/supervision < core/finance
#       < core/scenario < ui < app. A folder under core/ must be one of these.
#   (d) #include "..." in core/, ui/ and app/ is written from the repository
#       root (core/..., ui/... or app/...), so two folders can hold a file of
#       the same name.
# Includes are read line by line; one inside a /* */ comment is read too.
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repository root> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

set(layers core/base core/runtime core/supervision core/finance core/scenario ui app)
set(facades core/runtime/runtime.h core/finance/finance.h)
set(ui_seam ui/bridge)

# The layer of a path from the root (its index in `layers`), -1 for none.
function(layer_of path out)
  set(rank -1)
  set(i 0)
  foreach(layer IN LISTS layers)
    string(LENGTH "${layer}/" n)
    string(SUBSTRING "${path}" 0 ${n} head)
    if(head STREQUAL "${layer}/")
      set(rank ${i})
    endif()
    math(EXPR i "${i} + 1")
  endforeach()
  set(${out} ${rank} PARENT_SCOPE)
endfunction()

# The #include lines of a file as "LINE|DELIMITER|PATH" entries.
function(read_includes file out)
  file(READ "${file}" text)
  # Everything after the last include is not needed.
  string(FIND "${text}" "include" last REVERSE)
  if(last LESS 0)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  string(SUBSTRING "${text}" 0 ${last} head)
  string(SUBSTRING "${text}" ${last} -1 tail)
  string(FIND "${tail}" "\n" end)
  if(end GREATER_EQUAL 0)
    string(SUBSTRING "${tail}" 0 ${end} tail)
  endif()
  # One list element per line: characters that a CMake list treats specially
  # (';', a backslash before it, brackets) become harmless first.
  string(REPLACE "\\" "`" text "${head}${tail}")
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(found "")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]*)[>\"]")
      list(APPEND found "${number}|${CMAKE_MATCH_1}|${CMAKE_MATCH_2}")
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# How a core header reaches a facade: "" if it does not, else the chain of
# includes from it to the facade ("core/scenario/scenario.h -> core/finance/finance.h").
function(facade_chain path out)
  get_property(known GLOBAL PROPERTY "chain:${path}" SET)
  if(known)
    get_property(chain GLOBAL PROPERTY "chain:${path}")
    set(${out} "${chain}" PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "chain:${path}" "") # an include cycle ends here
  set(chain "")
  if(path IN_LIST facades)
    set(chain "${path}")
  else()
    get_property(includes GLOBAL PROPERTY "includes:${path}")
    foreach(include IN LISTS includes)
      facade_chain("${include}" rest)
      if(rest)
        set(chain "${path} -> ${rest}")
        break()
      endif()
    endforeach()
  endif()
  set_property(GLOBAL PROPERTY "chain:${path}" "${chain}")
  set(${out} "${chain}" PARENT_SCOPE)
endfunction()

set(patterns)
foreach(top core ui app)
  foreach(ext h hpp cpp cc cxx inl)
    list(APPEND patterns "${SOURCE_DIR}/${top}/*.${ext}")
  endforeach()
endforeach()
file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" ${patterns})
list(SORT files)
if(NOT files)
  message(FATAL_ERROR "no sources under ${SOURCE_DIR}/{core,ui,app}")
endif()

# First every file's includes, so (a) can follow core headers.
foreach(file IN LISTS files)
  read_includes("${SOURCE_DIR}/${file}" includes)
  set("includes:${file}" "${includes}")
  set(paths "")
  foreach(entry IN LISTS includes)
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 2 path)
    list(APPEND paths "${path}")
  endforeach()
  set_property(GLOBAL PROPERTY "includes:${file}" "${paths}")
endforeach()

set(violations "")
foreach(file IN LISTS files)
  layer_of("${file}" own)
  string(REGEX MATCH "^[a-z]+" top "${file}")
  if(top STREQUAL "core" AND own LESS 0)
    list(APPEND violations "${file}:1: (c) its folder is no core layer (add it to the order in tests/layering/check_includes.cmake)")
  endif()
  foreach(entry IN LISTS "includes:${file}")
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 line)
    list(GET parts 1 delimiter)
    list(GET parts 2 path)
    set(where "${file}:${line}:")
    if(delimiter STREQUAL "<")
      set(written "<${path}>")
    else()
      set(written "\"${path}\"")
    endif()
    string(REGEX MATCH "^(core|ui|app)/" from_root "${path}")

    # (b) no Qt under core/
    if(top STREQUAL "core" AND path MATCHES "^(Q[A-Za-z0-9_]*|Qt[A-Za-z0-9_]*/.*|q[a-z0-9_]*\\.h)$")
      list(APPEND violations "${where} (b) core includes a Qt header: ${written}")
    endif()
    # (d) quoted includes from the root, with no ./ or ../ on the way
    if(delimiter STREQUAL "\"" AND (NOT from_root OR path MATCHES "(^|/)\\.\\.?/"))
      list(APPEND violations "${where} (d) not written from the repository root (core/..., ui/... or app/...): ${written}")
      continue()
    endif()

    if(NOT from_root)
      continue()
    endif()

    # (c) own layer and lower ones only
    layer_of("${path}" theirs)
    if(own GREATER_EQUAL 0 AND theirs GREATER own)
      list(GET layers ${own} own_name)
      list(GET layers ${theirs} their_name)
      list(APPEND violations "${where} (c) ${own_name} includes the higher layer ${their_name}: ${written}")
    elseif(own GREATER_EQUAL 0 AND theirs LESS 0 AND path MATCHES "^core/")
      list(APPEND violations "${where} (c) includes a core file in no layer: ${written}")
    endif()

    # (a) only ui/bridge reaches the runtime facade or the finance client
    if(top STREQUAL "ui" AND NOT file MATCHES "^${ui_seam}/" AND path MATCHES "^core/")
      facade_chain("${path}" chain)
      if(chain STREQUAL path)
        list(APPEND violations "${where} (a) only ${ui_seam} may include ${path}: ${written}")
      elseif(chain)
        string(REGEX MATCH "[^ ]+$" facade "${chain}")
        list(APPEND violations "${where} (a) only ${ui_seam} may include ${facade}, here through ${chain}")
      endif()
    endif()
  endforeach()
endforeach()

list(LENGTH files scanned)
list(LENGTH violations count)
if(count GREATER 0)
  foreach(violation IN LISTS violations)
    message("${violation}")
  endforeach()
  message(FATAL_ERROR "${count} include(s) break the layering rule (${scanned} files read)")
endif()
message("include rule kept: ${scanned} files read")
