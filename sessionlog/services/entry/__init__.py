"""The entry language: what a practitioner types for a session, read the same way by
the session form and by ``sessionlog log``.

``site_text`` reads one site line (``st36 b x2``), ``needle_depth`` depths and needles,
``technique_settings`` the settings row of each technique, ``stricta`` the STRICTA
details, ``field_words`` the words the form shows beside its fields, and
``form_model`` the whole form's state and the session it makes. No Textual, no click,
no SQL: the TUI and the CLI both call these.
"""
