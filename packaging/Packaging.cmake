# Installation layout and CPack (issue 7). Included from the root CMakeLists.txt
# after every target exists.
#
# The app needs no file beside itself at run time (the demo scenarios and the
# window icon are compiled in from resources.qrc), so the same binary works
# from the build tree and installed. What is installed besides is for the
# desktop (menu entry, icons, AppStream), for users (the scenarios, to read
# and to pass to --scenario) and for the licences.
include(GNUInstallDirs)

# One id for the desktop entry, the AppStream component and the icon name:
# AppStream wants a reverse-DNS id for desktop applications (its validator
# warns about a plain "supervision-console"), and app/main.cpp hands the same
# id to Qt as the desktop file name, which Wayland docks match windows by.
set(SC_APP_ID io.github.supervisionconsole.SupervisionConsole)
set(sc_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/supervision-console)
set(sc_icon_dir ${PROJECT_SOURCE_DIR}/resources/icons)

install(TARGETS supervision-console RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} BUNDLE DESTINATION .)
if(APPLE)
  # The disk image holds the bundle (scenarios and icon inside it) and the licence.
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION .)
else()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/scenarios/
    DESTINATION ${CMAKE_INSTALL_DATADIR}/supervision-console/scenarios FILES_MATCHING PATTERN "*.json")
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
    ${CMAKE_CURRENT_LIST_DIR}/linux/copyright DESTINATION ${sc_doc_dir})
endif()

if(UNIX AND NOT APPLE)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/linux/${SC_APP_ID}.desktop
    DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/linux/${SC_APP_ID}.metainfo.xml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  foreach(size 16 22 24 32 48 64 128 256 512)
    install(FILES ${sc_icon_dir}/supervision-console-${size}.png
      DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME ${SC_APP_ID}.png)
  endforeach()
  install(FILES ${sc_icon_dir}/supervision-console.svg
    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${SC_APP_ID}.svg)
  # Debian wants manual pages gzipped, without a timestamp (-n) so that the
  # package is reproducible. gzip is always there on Debian; elsewhere the
  # page goes in as it is.
  set(sc_man ${CMAKE_CURRENT_LIST_DIR}/linux/supervision-console.1)
  find_program(SC_GZIP gzip)
  if(SC_GZIP)
    add_custom_command(OUTPUT supervision-console.1.gz
      COMMAND ${CMAKE_COMMAND} -E copy ${sc_man} supervision-console.1
      COMMAND ${SC_GZIP} -9nf supervision-console.1 DEPENDS ${sc_man} VERBATIM)
    add_custom_target(sc_manpage ALL DEPENDS supervision-console.1.gz)
    set(sc_man ${CMAKE_CURRENT_BINARY_DIR}/supervision-console.1.gz)
  endif()
  install(FILES ${sc_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# -- CPack, every generator --
# The contact defaults to the repository's commit author, and there is no
# public web page yet: packagers set both on the cmake command line.
set(SC_PACKAGE_CONTACT "Supervision Console maintainers <maintainers@users.noreply.b-seed-8aa464dd.example>"
  CACHE STRING "Maintainer named in the packages (name <e-mail>)")
set(SC_HOMEPAGE "" CACHE STRING "The project's web page, named in the packages when set")

set(CPACK_PACKAGE_NAME supervision-console)
set(CPACK_PACKAGE_VENDOR "The Supervision Console authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SC_PACKAGE_CONTACT}")
if(SC_HOMEPAGE)
  set(CPACK_PACKAGE_HOMEPAGE_URL "${SC_HOMEPAGE}")
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Break an Erlang/OTP-style supervision tree and watch it heal")
# Lines under 80 columns: Debian shows the long description as it is.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "Supervision Console shows a live Erlang/OTP-style supervision tree and lets"
  "you break it on purpose: kill a process, crash it, flood its mailbox, and"
  "watch its supervisor restart it, or give up, exactly as OTP would. It is"
  "made for teaching fault tolerance, on a projector if need be."
  ""
  "It comes with demo scenarios, a charity-finance console whose services keep"
  "an audit ledger across crashes, and a headless mode that runs a scenario and"
  "writes its trace as JSON lines.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_EXECUTABLES "supervision-console;Supervision Console")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Supervision Console")
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/\\\\.cache/" "/CMakeUserPresets\\\\.json$" "~$" "\\\\.swp$")

# -- CPack, Debian --
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(CPACK_GENERATOR DEB)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION education)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  # Depends from the libraries the binary links (dpkg-shlibdeps). Of what Qt
  # loads at run time on Debian 12: the xcb and offscreen platform plugins
  # ship in libqt6gui6 and the CUPS print plugin in libqt6printsupport6, both
  # linked, so already named; qt6-qpa-plugins holds only vnc (and
  # libqt6gui6 recommends it). No Qt SQL: the ledger uses SQLite's C API.
  # Native Wayland windows need qt6-wayland; without it Qt uses XWayland.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS qt6-wayland)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/DeployWindowsMac.cmake)
include(CPack)
