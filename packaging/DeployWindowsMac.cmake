# Windows and macOS: Qt's deployment into the installation, NSIS and DragNDrop
# settings (issue 7). Included from packaging/Packaging.cmake after the common
# CPACK_* variables and before include(CPack); nothing here runs on Linux.
# Packaging.cmake already sets, for every generator, the license
# (CPACK_RESOURCE_FILE_LICENSE: NSIS's license page), the Start-menu shortcut
# (CPACK_PACKAGE_EXECUTABLES) and the folder name (CPACK_PACKAGE_INSTALL_DIRECTORY).
set(sc_icon_dir ${PROJECT_SOURCE_DIR}/resources/icons)

if(WIN32 OR APPLE)
  # Copies the Qt libraries and plugins the app loads into the installation
  # (windeployqt on Windows, macdeployqt into the bundle on macOS), so the
  # package runs where Qt is not installed. Qt 6.5 renamed FILENAME_VARIABLE
  # to OUTPUT_SCRIPT; Debian has 6.4, the CI runners newer ones.
  if(Qt6_VERSION VERSION_LESS 6.5)
    qt_generate_deploy_app_script(TARGET supervision-console
      FILENAME_VARIABLE sc_deploy_script NO_UNSUPPORTED_PLATFORM_ERROR)
  else()
    qt_generate_deploy_app_script(TARGET supervision-console
      OUTPUT_SCRIPT sc_deploy_script NO_UNSUPPORTED_PLATFORM_ERROR)
  endif()
  install(SCRIPT ${sc_deploy_script})
endif()

if(WIN32)
  set(SC_WINDOWS_ICON ${sc_icon_dir}/supervision-console.ico)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/windows/supervision-console.rc.in
    ${PROJECT_BINARY_DIR}/packaging/supervision-console.rc @ONLY)
  target_sources(supervision-console PRIVATE ${PROJECT_BINARY_DIR}/packaging/supervision-console.rc)

  # windeployqt copies Qt only; the MSVC runtime DLLs go next to the .exe
  # (app-local), so no Visual C++ Redistributable has to be installed first.
  # spdlog, fmt and SQLite come from vcpkg's static triplet: no DLLs of theirs.
  set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION bin)
  include(InstallRequiredSystemLibraries)

  set(CPACK_GENERATOR NSIS)
  set(CPACK_NSIS_PACKAGE_NAME "Supervision Console")
  # Add/Remove Programs: the name and the icon shown there.
  set(CPACK_NSIS_DISPLAY_NAME "Supervision Console")
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\supervision-console.exe")
  set(CPACK_NSIS_MUI_ICON ${SC_WINDOWS_ICON})
  set(CPACK_NSIS_MUI_UNIICON ${SC_WINDOWS_ICON})
  # Start menu: the shortcut of CPACK_PACKAGE_EXECUTABLES points into bin/;
  # CPack's NSIS template writes Uninstall.exe and an "Uninstall" shortcut
  # next to it.
  set(CPACK_NSIS_EXECUTABLES_DIRECTORY bin)
  # Installing a new version over an old one removes the old one first.
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
  set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
endif()

if(APPLE)
  # The icon goes into the bundle's Contents/Resources; Info.plist names it.
  # The source property must be set in the directory that made the target.
  set(sc_icns ${sc_icon_dir}/supervision-console.icns)
  set_source_files_properties(${sc_icns} TARGET_DIRECTORY supervision-console
    PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
  target_sources(supervision-console PRIVATE ${sc_icns})
  # Keys of the Info.plist CMake writes into supervision-console.app. The
  # bundle id is SC_APP_ID of Packaging.cmake, the Linux desktop entry's id.
  set_target_properties(supervision-console PROPERTIES
    MACOSX_BUNDLE_BUNDLE_NAME "Supervision Console"
    MACOSX_BUNDLE_GUI_IDENTIFIER ${SC_APP_ID}
    MACOSX_BUNDLE_BUNDLE_VERSION ${PROJECT_VERSION}
    MACOSX_BUNDLE_SHORT_VERSION_STRING ${PROJECT_VERSION}
    MACOSX_BUNDLE_ICON_FILE supervision-console.icns)

  # A disk image holding the bundle and a link to /Applications to drag it to.
  set(CPACK_GENERATOR DragNDrop)
  set(CPACK_DMG_VOLUME_NAME "Supervision Console ${PROJECT_VERSION}")
endif()
