# QCustomPlot (GPL-3.0-or-later), linked by ui as QCustomPlotQt6::QCustomPlotQt6.
# Debian has a package (libqcustomplot-dev); Windows and macOS have none, so
# there the official source release is fetched at configure time and built here.
# The sources are never committed. Qt6 (Widgets, PrintSupport) is found first:
# Debian's QCustomPlot config does not find PrintSupport itself.
option(SC_FETCH_QCUSTOMPLOT "Build QCustomPlot from its source release even when a system package exists" OFF)
# Cache variables so a mirror or a local copy can stand in for qcustomplot.com.
# 2.1.1 at least: the moc of Qt >= 6.2 rejects 2.1.0's header (its QCP
# namespace posing as a class); Debian patches its 2.1.0 for that.
set(SC_QCUSTOMPLOT_URL "https://www.qcustomplot.com/release/2.1.1/QCustomPlot-source.tar.gz"
    CACHE STRING "Where to download the QCustomPlot source release")
set(SC_QCUSTOMPLOT_SHA256 "5e2d22dec779db8f01f357cbdb25e54fbcf971adaee75eae8d7ad2444487182f"
    CACHE STRING "SHA256 of the archive at SC_QCUSTOMPLOT_URL")

if(NOT SC_FETCH_QCUSTOMPLOT)
  find_package(QCustomPlotQt6 QUIET)
endif()

if(QCustomPlotQt6_FOUND)
  message(STATUS "QCustomPlot: system package (${QCustomPlotQt6_DIR})")
else()
  message(STATUS "QCustomPlot: building the source release ${SC_QCUSTOMPLOT_URL}")
  include(FetchContent)
  FetchContent_Declare(qcustomplot
    URL "${SC_QCUSTOMPLOT_URL}"
    URL_HASH SHA256=${SC_QCUSTOMPLOT_SHA256}
    DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
  # The release has no CMakeLists.txt: this only downloads and unpacks it.
  FetchContent_MakeAvailable(qcustomplot)

  # Static, so no DLL to deploy next to the app. QCP_LIB_DECL stays empty when
  # neither QCUSTOMPLOT_COMPILE_LIBRARY nor QCUSTOMPLOT_USE_LIBRARY is defined,
  # which is what a static library needs on every platform.
  add_library(sc_qcustomplot STATIC
    ${qcustomplot_SOURCE_DIR}/qcustomplot.cpp
    ${qcustomplot_SOURCE_DIR}/qcustomplot.h)
  set_target_properties(sc_qcustomplot PROPERTIES AUTOMOC ON)
  # SYSTEM: the header's own warnings are not ours to fix.
  target_include_directories(sc_qcustomplot SYSTEM PUBLIC ${qcustomplot_SOURCE_DIR})
  target_link_libraries(sc_qcustomplot PUBLIC Qt6::Widgets Qt6::PrintSupport)
  add_library(QCustomPlotQt6::QCustomPlotQt6 ALIAS sc_qcustomplot)
endif()
