/* Wi-Fi station. The outcome arrives as JW_EV_WIFI events. */
#ifndef JW_WIFI_H
#define JW_WIFI_H
typedef enum { JW_WIFI_IDLE = 0, JW_WIFI_CONNECTING, JW_WIFI_CONNECTED } jw_wifi_status_t;
int jw_wifi_connect(const char *ssid, const char *password);
jw_wifi_status_t jw_wifi_status(void);
#endif
