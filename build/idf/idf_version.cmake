# The ESP-IDF releases this firmware supports, checked at configure time (before any component is processed).
# Oldest: v5.1.2, the first with esp-mqtt's esp_mqtt_client_subscribe_single (native/esp/mqtt.c). Newest: the 5.x
# line (v5.2.2 is checked in CI, docs/firmware.md; v6 moves esp-mqtt out of ESP-IDF and is refused).
# Kept apart from CMakeLists.txt so that test/firmware runs it with `cmake -P` and any version.
set(JW_IDF_MIN "5.1.2")
set(JW_IDF_BELOW "6.0.0")

# Sets ${out} to "" when the version is supported, else to the message that says why and what to do.
function(jw_idf_version_problem major minor patch out)
    set(v "${major}.${minor}.${patch}")
    if(NOT v MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+$")
        set(${out} "jerrywatt: cannot read the ESP-IDF version ('${v}'): is IDF_PATH an ESP-IDF checkout?" PARENT_SCOPE)
    elseif(v VERSION_LESS JW_IDF_MIN)
        string(CONCAT msg "jerrywatt: ESP-IDF v${v} is too old: the firmware needs v${JW_IDF_MIN} or later 5.x "
                   "(esp_mqtt_client_subscribe_single). Install v5.2.2 (docs/firmware.md) and run its export.sh.")
        set(${out} "${msg}" PARENT_SCOPE)
    elseif(NOT v VERSION_LESS JW_IDF_BELOW)
        string(CONCAT msg "jerrywatt: ESP-IDF v${v} is not supported: the firmware is built and checked with 5.x "
                   "(v${JW_IDF_MIN} and later, v5.2.2 in CI). Install v5.2.2 (docs/firmware.md) and run its export.sh.")
        set(${out} "${msg}" PARENT_SCOPE)
    else()
        set(${out} "" PARENT_SCOPE)
    endif()
endfunction()

# `cmake -DIDF_VERSION_MAJOR=5 -DIDF_VERSION_MINOR=0 -DIDF_VERSION_PATCH=4 -P idf_version.cmake`: the check alone.
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
    jw_idf_version_problem("${IDF_VERSION_MAJOR}" "${IDF_VERSION_MINOR}" "${IDF_VERSION_PATCH}" problem)
    if(problem)
        message(FATAL_ERROR "${problem}")
    endif()
    message(STATUS "jerrywatt: ESP-IDF v${IDF_VERSION_MAJOR}.${IDF_VERSION_MINOR}.${IDF_VERSION_PATCH} is supported")
endif()
