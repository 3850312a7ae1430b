# keygen part: `wufei-kiosk keygen` needs the key-file helpers of wufei_receipt.
target_link_libraries(wufei-kiosk PRIVATE wufei_receipt)
