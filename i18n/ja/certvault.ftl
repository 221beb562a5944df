# certvault の表示文（日本語）。ここにある id はすべて en/certvault.ftl にも必要です（テストで確認）。

error-prefix = certvault: エラー
hint-prefix = ヒント

## PKCS#12 の読み取りエラー。{ $file } はファイルのパスです。
err-read = { $file }: ファイルを読み込めません: { $reason }
err-is-directory = { $file }: これはフォルダーです。証明書ファイルを指定してください
err-not-found = { $file }: ファイルが見つかりません
err-too-large = { $file }: ファイルが { $size } バイトあり、証明書ファイルとしては大きすぎます（上限 { $limit }）
err-empty = { $file }: ファイルが空です（0 バイト）。ダウンロードまたはコピーが完了していません
err-not-pkcs12 = { $file }: PKCS#12 形式の証明書ファイルではありません
err-not-pkcs12-kind = { $file }: PKCS#12 形式の証明書ファイルではありません（{ $kind }のようです）
err-truncated = { $file }: ファイルが途中で切れています。もう一度コピーまたはダウンロードしてください
err-malformed = { $file }: 証明書ファイルの構造が壊れています: { $detail }
err-unsupported = { $file }: 対応していない暗号方式です: { $what }
err-wrong-pin = { $file }: PIN（パスワード）が違います
err-mac-mismatch = { $file }: PIN は正しいのですが、ファイルの改ざん検知（MAC）が一致しません。ファイルが壊れているか、書き換えられています
err-iterations = { $file }: 鍵の導出に { $count } 回の反復を求めています。certvault が処理する上限を超えています
err-cert = { $file }: { $detail }
err-pin-file = { $file }: PIN ファイルを読み込めません: { $reason }
err-pin-file-empty = PIN ファイル { $file } が空です
err-no-terminal = { $what }を入力する画面（端末）がありません。{ $flag } ファイル名 で指定してください（- は標準入力）
err-interrupted = 中断しました（Ctrl-C）
err-max-digits = --max-digits は 1 から 8 の間で指定してください（指定値: { $value }）

hint-wrong-pin = ここでは PIN を何度でも試せます。certvault はファイルだけで確認するので、ロックされることはありません。
hint-not-pkcs12 = 証明書ファイルの名前は通常 .p12 か .pfx で終わります。選んだファイルが正しいか確認してください。

## inspect
inspect-file = ファイル
inspect-size = { $size } バイト
inspect-format = 形式
inspect-format-value = PKCS#12（{ $encoding } 符号化）
inspect-integrity = 改ざん検知（MAC）
inspect-integrity-none = なし（このファイルには MAC がありません）
inspect-iterations = 反復 { $count } 回
inspect-contents = 中身
inspect-part-plain = 暗号化なし
inspect-part-encrypted = { $algorithm } で暗号化
inspect-part-unsupported = 対応していない内容（{ $algorithm }）
inspect-part-locked = PIN を入力するまで中身は表示できません
inspect-bag-certificate = 証明書
inspect-bag-private-key = 秘密鍵（暗号化されていません）
inspect-bag-shrouded-private-key = 秘密鍵（{ $algorithm } で暗号化）
inspect-bag-other = { $kind }
inspect-unsupported-mark = （未対応）
inspect-private-key = 秘密鍵
inspect-key-none = ありません。このファイルはクライアント証明書として使えません
inspect-key-matches = あり（証明書と一致しています）
inspect-key-mismatch = ありますが、ファイル内のどの証明書とも一致しません
inspect-key-unknown = あり（この鍵の種類では証明書との一致を確認できません）
inspect-key-hidden = PIN を入力するまで分かりません
inspect-certificates = 証明書の数
inspect-pin = PIN
inspect-pin-correct = 正しい
inspect-pin-wrong = 違います
inspect-pin-not-needed = 不要（このファイルはパスワードで保護されていません）
inspect-pin-empty = 空のパスワードです（保護されていません）
inspect-pin-absent = パスワードがありません（保護されていません）
inspect-pin-not-given = 未確認（PIN が入力されていません）
inspect-purpose = 用途（推定）
purpose-online-qualification = オンライン資格確認
purpose-hpki-second = HPKI セカンド電子証明書（電子処方箋）
purpose-other = その他
inspect-leaf = クライアント証明書
inspect-subject = 発行先
inspect-institution = 医療機関コード
inspect-issuer = 発行者
inspect-serial = シリアル番号
inspect-valid-from = 有効期間の開始
inspect-valid-until = 有効期限
inspect-days-left = 残り { $days } 日
inspect-expired = 期限切れ（{ $days } 日前）
inspect-key = 鍵
inspect-sha1 = SHA-1 拇印
inspect-sha256 = SHA-256 拇印
inspect-chain = 証明書チェーン
inspect-chain-root = ルート証明書：この SHA-1 拇印がマニュアル記載の値と同じか確認してください
inspect-chain-ca = 認証局
inspect-chain-none = このファイルには含まれていません
inspect-brute-force = 注意：この PIN は { $digits } 桁の数字です。このパソコンでは { $count } 通りすべてを約 { $duration } で試せるため、ファイルを持ち出されると PIN では守れません。保管庫（USB）だけに保管し、ほかのコピーは削除してください。
inspect-enter-pin = { $file } の PIN（飛ばす場合は Enter）:
inspect-pin-retry = PIN が違います。何度でも試せます（ロックされません）。飛ばす場合は Enter を押してください。

duration-ms = { $value } ミリ秒
duration-s = { $value } 秒
duration-min = { $value } 分
duration-h = { $value } 時間
duration-d = { $value } 日

## recover-pin
recover-start = { $digits } 桁までのすべての数字の PIN を試します（{ $count } 通り、{ $threads } スレッド）。最長で約 { $duration } かかります。
recover-found = { $tried } 回目、{ $duration } で PIN が見つかりました:
recover-not-found = { $digits } 桁までの数字の PIN では { $file } を開けませんでした（{ $tried } 通りを { $duration } で確認）。
recover-no-pin-needed = { $file } はパスワードで保護されていないため、探す PIN はありません。
recover-progress = 確認済みの PIN
